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
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

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

/// A TCP listener whose connections carry a [`Cut`] switch.
pub(crate) struct Cuttable(TcpListener);

impl Listener for Cuttable {
    type Io = CutStream;
    type Addr = Cut;

    async fn accept(&mut self) -> (CutStream, Cut) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    let cut = Cut(Arc::new(AtomicBool::new(false)));
                    let io = CutStream {
                        stream,
                        cut: cut.clone(),
                    };
                    return (io, cut);
                }
                Err(e) => {
                    // Out of descriptors and the like: retrying at once would spin.
                    tracing::warn!(error = %e, "bitrix-mock: accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Cut> {
        // axum only asks for this to report it; the switch of no connection is all there is.
        Ok(Cut(Arc::new(AtomicBool::new(false))))
    }
}

pub(crate) struct CutStream {
    stream: TcpStream,
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
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` until `stop` turns true or its sender is dropped.
pub(crate) fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let service = app.into_make_service_with_connect_info::<Cut>();
    tokio::spawn(async move {
        let stopped = async move {
            // An error means the portal handle is gone: stop as well.
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        if let Err(e) = axum::serve(Cuttable(listener), service)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(error = %e, "bitrix-mock server failed");
        }
    });
}
