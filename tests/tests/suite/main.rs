//! The end-to-end suite: one test binary, a module per concern.

mod batch;
mod errors;
mod events;
mod faults;
mod form;
mod handler;
mod hardening;
mod methods;
mod query;
mod raw;
mod resilience;
mod specs;

use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex};

/// Runs `fut` with every tracing event, at TRACE level, written into a buffer, and returns what
/// was logged. Tests run on a current-thread runtime, so the thread-local subscriber sees all.
pub(crate) async fn capture_logs<T>(fut: impl Future<Output = T>) -> (String, T) {
    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink(Arc::default());
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let out = fut.await;
    drop(guard);
    let text =
        String::from_utf8_lossy(&sink.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    (text, out)
}
