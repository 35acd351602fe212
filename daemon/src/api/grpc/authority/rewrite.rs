//! [`Rewriter`]: the client-to-server half of an HTTP/2 connection, frame by frame, with an
//! unusable `:authority` replaced by `localhost` before h2 sees it.
//!
//! Every header block is decoded, so the decoder's dynamic table always mirrors the client's
//! encoder. Blocks pass byte for byte until one carries an authority h2 would refuse; from then
//! on the connection is in [`Mode::Rewriting`]: every block is re-encoded as plain literals
//! (never indexed into h2's table, so the two tables cannot drift apart) and split into frames
//! no larger than the 16 KiB every HTTP/2 peer accepts; padding and the deprecated priority
//! fields are dropped on the way. All other frames pass untouched.

use loona_hpack::Decoder;
use loona_hpack::decoder::DecoderError;

/// The client connection preface (`PRI * HTTP/2.0…`), passed through before any frame.
const PREFACE_LEN: usize = 24;
const FRAME_HEADER_LEN: usize = 9;
const HEADERS: u8 = 0x1;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;
/// SETTINGS_MAX_FRAME_SIZE's floor (RFC 9113 §4.2): the re-encoded frames never exceed it.
const MAX_FRAME: usize = 16_384;
/// The largest header block buffered before giving up on the connection (h2's own default
/// limit on a decoded header list is 16 MiB; a control client sends a few hundred bytes).
const MAX_BLOCK: usize = 1 << 20;
/// The authority that replaces one h2 would refuse: what grpc-go and grpcurl send.
pub const REPLACEMENT: &[u8] = b"localhost";
/// SETTINGS_HEADER_TABLE_SIZE as h2 advertises it (the default): the client's table is no
/// larger, so neither is the mirror.
const HEADER_TABLE_SIZE: usize = 4096;

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every authority so far was valid: blocks pass as they came.
    Watching,
    /// A block needed a new authority: every block from now on is re-encoded.
    Rewriting,
    /// The client's HPACK could not be decoded while nothing was rewritten yet: everything
    /// passes, so h2 answers the fault as HTTP/2 says it must.
    PassThrough,
}

/// Why a connection cannot be carried on.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// A frame broke the HTTP/2 framing rules (bad padding, a stray CONTINUATION, …).
    #[error("malformed HTTP/2 header frame from the client: {0}")]
    Framing(&'static str),
    /// A header block grew past `MAX_BLOCK`.
    #[error("a header block from the client exceeds {MAX_BLOCK} bytes")]
    BlockTooLarge,
    /// The client's HPACK stopped decoding after blocks were already rewritten.
    #[error("cannot decode the client's header block (HPACK: {0:?})")]
    Hpack(DecoderError),
}

/// A header block waiting for its END_HEADERS.
#[derive(Debug)]
struct Block {
    stream: u32,
    end_stream: bool,
    fragment: Vec<u8>,
    /// The frames as received, for passing them on unchanged.
    frames: Vec<u8>,
}

/// The client-to-server byte stream of one connection, rewritten as the module doc says.
pub struct Rewriter {
    mode: Mode,
    preface_left: usize,
    /// Payload bytes of the current non-header frame still to pass as they are.
    forward_left: usize,
    /// Input not yet handled: an incomplete frame header or header frame.
    pending: Vec<u8>,
    block: Option<Block>,
    decoder: Decoder<'static>,
}

impl std::fmt::Debug for Rewriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rewriter")
            .field("mode", &self.mode)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Default for Rewriter {
    fn default() -> Self {
        let mut decoder = Decoder::new();
        decoder.set_max_allowed_table_size(HEADER_TABLE_SIZE);
        Self {
            mode: Mode::Watching,
            preface_left: PREFACE_LEN,
            forward_left: 0,
            pending: Vec::new(),
            block: None,
            decoder,
        }
    }
}

impl Rewriter {
    /// Takes `input` from the client and appends what h2 should read to `out`; bytes of an
    /// incomplete frame are kept for the next call.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), RewriteError> {
        self.pending.extend_from_slice(input);
        let mut pos = 0;
        let result = self.process(&mut pos, out);
        self.pending.drain(..pos);
        result
    }

    fn process(&mut self, pos: &mut usize, out: &mut Vec<u8>) -> Result<(), RewriteError> {
        loop {
            let rest = self.pending.len() - *pos;
            if rest == 0 {
                return Ok(());
            }
            let passing = match self.mode {
                Mode::PassThrough => rest,
                _ if self.preface_left > 0 => {
                    let n = rest.min(self.preface_left);
                    self.preface_left -= n;
                    n
                }
                _ => {
                    let n = rest.min(self.forward_left);
                    self.forward_left -= n;
                    n
                }
            };
            if passing > 0 {
                out.extend_from_slice(&self.pending[*pos..*pos + passing]);
                *pos += passing;
                continue;
            }
            if rest < FRAME_HEADER_LEN {
                return Ok(());
            }
            let header = &self.pending[*pos..*pos + FRAME_HEADER_LEN];
            let len =
                usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
            let (kind, flags) = (header[3], header[4]);
            let stream =
                u32::from_be_bytes([header[5], header[6], header[7], header[8]]) & 0x7fff_ffff;
            if kind != HEADERS && kind != CONTINUATION {
                if self.block.is_some() {
                    return Err(RewriteError::Framing("a header block was interrupted"));
                }
                out.extend_from_slice(header);
                self.forward_left = len;
                *pos += FRAME_HEADER_LEN;
                continue;
            }
            if len > MAX_BLOCK {
                return Err(RewriteError::BlockTooLarge);
            }
            if rest < FRAME_HEADER_LEN + len {
                return Ok(());
            }
            let frame = self.pending[*pos..*pos + FRAME_HEADER_LEN + len].to_vec();
            *pos += frame.len();
            self.header_frame(kind, flags, stream, &frame, out)?;
        }
    }

    fn header_frame(
        &mut self,
        kind: u8,
        flags: u8,
        stream: u32,
        frame: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RewriteError> {
        let payload = &frame[FRAME_HEADER_LEN..];
        let block = if kind == HEADERS {
            if self.block.is_some() {
                return Err(RewriteError::Framing("HEADERS inside another header block"));
            }
            self.block.insert(Block {
                stream,
                end_stream: flags & END_STREAM != 0,
                fragment: Vec::new(),
                frames: Vec::new(),
            })
        } else {
            match self.block.as_mut() {
                Some(block) if block.stream == stream => block,
                _ => return Err(RewriteError::Framing("CONTINUATION without its HEADERS")),
            }
        };
        block
            .fragment
            .extend_from_slice(fragment(kind, flags, payload)?);
        block.frames.extend_from_slice(frame);
        if block.frames.len() > MAX_BLOCK {
            return Err(RewriteError::BlockTooLarge);
        }
        if flags & END_HEADERS == 0 {
            return Ok(());
        }
        let block = self.block.take().expect("a header block is open");
        self.finish(block, out)
    }

    fn finish(&mut self, block: Block, out: &mut Vec<u8>) -> Result<(), RewriteError> {
        let fields = match self.decoder.decode(&block.fragment) {
            Ok(fields) => fields,
            Err(_) if self.mode == Mode::Watching => {
                self.mode = Mode::PassThrough;
                out.extend_from_slice(&block.frames);
                return Ok(());
            }
            Err(err) => return Err(RewriteError::Hpack(err)),
        };
        let refused = |(name, value): &(Vec<u8>, Vec<u8>)| {
            name == b":authority"
                && hyper::http::uri::Authority::try_from(value.as_slice()).is_err()
        };
        if fields.iter().any(refused) {
            if self.mode == Mode::Watching {
                tracing::debug!("a control client sends a socket path as :authority; rewriting it");
            }
            self.mode = Mode::Rewriting;
        }
        if self.mode == Mode::Watching {
            out.extend_from_slice(&block.frames);
            return Ok(());
        }
        let mut encoded = Vec::new();
        for field in &fields {
            let value = if refused(field) {
                REPLACEMENT
            } else {
                &field.1
            };
            // A literal without indexing, new name (RFC 7541 §6.2.2), strings not Huffman-coded.
            // A never-indexed field becomes a plain one: that flag only binds intermediaries
            // that re-encode, and h2 is the end of the line.
            encoded.push(0);
            for string in [&field.0[..], value] {
                put_integer(&mut encoded, string.len());
                encoded.extend_from_slice(string);
            }
        }
        write_frames(block.stream, block.end_stream, &encoded, out);
        Ok(())
    }
}

/// The header block fragment of a HEADERS or CONTINUATION payload (padding and priority off).
fn fragment(kind: u8, flags: u8, payload: &[u8]) -> Result<&[u8], RewriteError> {
    if kind == CONTINUATION {
        return Ok(payload);
    }
    let (pad, start) = if flags & PADDED != 0 {
        let pad = usize::from(
            *payload
                .first()
                .ok_or(RewriteError::Framing("no pad length"))?,
        );
        (pad, 1)
    } else {
        (0, 0)
    };
    let start = start + if flags & PRIORITY != 0 { 5 } else { 0 };
    payload
        .len()
        .checked_sub(pad)
        .filter(|end| *end >= start)
        .map(|end| &payload[start..end])
        .ok_or(RewriteError::Framing("padding longer than the frame"))
}

/// An HPACK string length: a 7-bit prefix integer, Huffman bit clear (RFC 7541 §5.1).
fn put_integer(out: &mut Vec<u8>, value: usize) {
    let mut value = value;
    if value < 0x7f {
        out.push(value as u8);
        return;
    }
    out.push(0x7f);
    value -= 0x7f;
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// `block` as one HEADERS frame and as many CONTINUATION frames as it needs.
fn write_frames(stream: u32, end_stream: bool, block: &[u8], out: &mut Vec<u8>) {
    let count = block.len().div_ceil(MAX_FRAME).max(1);
    for index in 0..count {
        let chunk = &block
            [(index * MAX_FRAME).min(block.len())..((index + 1) * MAX_FRAME).min(block.len())];
        let (kind, mut flags) = if index == 0 {
            (HEADERS, if end_stream { END_STREAM } else { 0 })
        } else {
            (CONTINUATION, 0)
        };
        if index + 1 == count {
            flags |= END_HEADERS;
        }
        let len = chunk.len() as u32;
        out.extend_from_slice(&len.to_be_bytes()[1..]);
        out.extend_from_slice(&[kind, flags]);
        out.extend_from_slice(&stream.to_be_bytes());
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests;
