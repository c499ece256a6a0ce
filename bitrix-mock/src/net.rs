//! Serving on loopback, over connections a handler can cut (for [`Fault::DropConnection`]).
//!
//! [`Fault::DropConnection`]: crate::Fault::DropConnection

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

/// A client that has not finished its TLS handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection's byte stream, plain or TLS.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Lets a handler cut the connection its request came on; handed to it as `ConnectInfo`.
#[derive(Clone, Debug)]
pub(crate) struct Cut(Arc<AtomicBool>);

impl Cut {
    /// From now on the connection fails every read and write, so the response the handler
    /// returns is never written and the server closes the connection.
    pub(crate) fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, Cuttable>> for Cut {
    fn connect_info(stream: IncomingStream<'_, Cuttable>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A listener whose connections carry a [`Cut`] switch: TCP, or TLS connections whose
/// handshakes run apart so that one slow client holds up no other.
pub(crate) enum Cuttable {
    Plain(TcpListener),
    Tls(mpsc::Receiver<Box<dyn Io>>),
}

impl Cuttable {
    async fn next(&mut self) -> Box<dyn Io> {
        match self {
            Cuttable::Plain(listener) => loop {
                match TcpListener::accept(listener).await {
                    Ok((stream, _)) => return Box::new(stream),
                    Err(e) => {
                        // Out of descriptors and the like: retrying at once would spin.
                        tracing::warn!(error = %e, "bitrix-mock: accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            },
            Cuttable::Tls(handshaken) => match handshaken.recv().await {
                Some(stream) => stream,
                // The acceptor has stopped with the server; no connection comes any more.
                None => std::future::pending().await,
            },
        }
    }
}

/// Accepts TCP connections and hands each over once its TLS handshake is done, until `stop`.
fn tls_acceptor(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mut stop: watch::Receiver<bool>,
) -> mpsc::Receiver<Box<dyn Io>> {
    let (done, handshaken) = mpsc::channel::<Box<dyn Io>>(64);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = stop.wait_for(|stopped| *stopped) => return,
                _ = done.closed() => return,
                accepted = TcpListener::accept(&listener) => accepted,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "bitrix-mock: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let (acceptor, done) = (acceptor.clone(), done.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        // The server may have stopped meanwhile; the connection goes with it.
                        let _ = done.send(Box::new(tls)).await;
                    }
                    Ok(Err(e)) => tracing::debug!(error = %e, "bitrix-mock: TLS handshake failed"),
                    Err(_) => tracing::debug!("bitrix-mock: TLS handshake timed out"),
                }
            });
        }
    });
    handshaken
}

impl Listener for Cuttable {
    type Io = CutStream;
    type Addr = Cut;

    async fn accept(&mut self) -> (CutStream, Cut) {
        let stream = self.next().await;
        let cut = Cut(Arc::new(AtomicBool::new(false)));
        let io = CutStream {
            stream,
            cut: cut.clone(),
        };
        (io, cut)
    }

    fn local_addr(&self) -> io::Result<Cut> {
        // axum only asks for this to report it; the switch of no connection is all there is.
        Ok(Cut(Arc::new(AtomicBool::new(false))))
    }
}

pub(crate) struct CutStream {
    stream: Box<dyn Io>,
    cut: Cut,
}

impl CutStream {
    fn check(&self) -> io::Result<()> {
        if self.cut.0.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "bitrix-mock: connection dropped by an injected fault",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for CutStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut *self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut *self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut *self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.stream).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener`, over TLS with `tls`, until `stop` turns true or its sender is
/// dropped.
pub(crate) fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = app.into_make_service_with_connect_info::<Cut>();
    let listener = match tls {
        Some(acceptor) => Cuttable::Tls(tls_acceptor(listener, acceptor, stop.clone())),
        None => Cuttable::Plain(listener),
    };
    tokio::spawn(async move {
        let stopped = async move {
            // An error means the portal handle is gone: stop as well.
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(e) = axum::serve(listener, service)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(error = %e, "bitrix-mock server failed");
        }
    });
}

/// `host:port` of a base URL, whatever its scheme.
pub(crate) fn host(base: &str) -> &str {
    base.split_once("://").map_or(base, |(_, host)| host)
}
