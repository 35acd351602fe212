//! [`LocalAuthority`]: a control connection whose requests reach h2 with an authority it
//! accepts.
//!
//! Over a Unix socket there is no host, so gRPC clients make one up, and several make up one
//! that h2's server refuses: grpc C-core (Python, Ruby, PHP, C++) since 1.57 sends the socket
//! path percent-encoded (`tmp%2Fwundr%2Forchestrator.sock`), grpc-java the bare path. h2
//! checks `:authority` with `http::uri::Authority` (no `%` outside userinfo, no `/`) and
//! resets the stream with PROTOCOL_ERROR, with no option to relax it. The authority means
//! nothing on a private socket, so the connection's request headers go through
//! `rewrite::Rewriter`, which makes such an authority `localhost` (what grpc-go sends) and
//! leaves everything else as it was. The server-to-client half is not touched.

mod rewrite;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub use rewrite::{REPLACEMENT, RewriteError};

/// How much is read from the client at once.
const READ_CHUNK: usize = 16 * 1024;

/// A client connection as h2 reads it: `inner` with its request authorities made acceptable.
#[derive(Debug)]
pub struct LocalAuthority<S> {
    inner: S,
    rewriter: rewrite::Rewriter,
    /// Rewritten bytes h2 has not read yet, from `ready_from` on.
    ready: Vec<u8>,
    ready_from: usize,
}

impl<S> LocalAuthority<S> {
    /// Wraps a freshly accepted connection (before any byte was read from it).
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            rewriter: rewrite::Rewriter::default(),
            ready: Vec::new(),
            ready_from: 0,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for LocalAuthority<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready_from < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.ready_from);
                buf.put_slice(&this.ready[this.ready_from..this.ready_from + n]);
                this.ready_from += n;
                if this.ready_from == this.ready.len() {
                    this.ready.clear();
                    this.ready_from = 0;
                }
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; READ_CHUNK];
            let mut read = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            if read.filled().is_empty() {
                // The client closed its side; h2 sees the end of the stream.
                return Poll::Ready(Ok(()));
            }
            if let Err(err) = this.rewriter.feed(read.filled(), &mut this.ready) {
                tracing::warn!(%err, "closed a control connection");
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, err)));
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for LocalAuthority<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S: tonic::transport::server::Connected> tonic::transport::server::Connected
    for LocalAuthority<S>
{
    type ConnectInfo = S::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}
