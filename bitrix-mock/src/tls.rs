//! HTTPS with a self-signed certificate made at start: rustls with ring, no OpenSSL.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A portal's certificate and the acceptor serving it; the PEM file goes with it.
pub(crate) struct Tls {
    pub acceptor: TlsAcceptor,
    pub pem: String,
    path: PathBuf,
}

impl Drop for Tls {
    fn drop(&mut self) {
        // Already gone is as good as removed.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("bitrix-mock: {what}: {e}"))
}

impl Tls {
    /// A fresh key and a certificate for `127.0.0.1` and `localhost`, valid for this portal
    /// only; its PEM is written to a file of its own in the temporary directory, for clients
    /// that take a CA file.
    pub(crate) fn generate() -> io::Result<Tls> {
        let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let certified =
            rcgen::generate_simple_self_signed(names).map_err(|e| failed("certificate", e))?;
        let pem = certified.cert.pem();
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let provider = Arc::new(ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| failed("TLS versions", e))?
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .map_err(|e| failed("TLS key", e))?;
        // The server speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let name = format!(
            "bitrix-mock-{}-{}.pem",
            std::process::id(),
            crate::auth::secret(8)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, &pem)?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            pem,
            path,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
