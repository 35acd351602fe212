//! A tiny blocking HTTP/1.1 client over [`std::net::TcpStream`] for Ray's dashboard REST API
//! ([`get`], [`post_json`], [`delete`] → [`HttpResponse`]). One request per connection
//! (`Connection: close`), read to the end; chunked bodies are decoded. That is all the dashboard
//! (aiohttp) needs, and it keeps the crate free of an HTTP client dependency and a runtime.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a connect or a read may stall: the dashboard answers in milliseconds, so a stall
/// this long is a hung cluster, and the test should fail rather than hang.
const STALL: Duration = Duration::from_secs(30);

/// One response: status, headers (names lowercased) and the body as text.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The body as JSON; panics with the body when it is not (Ray's errors are plain text).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected JSON from the dashboard ({e}), got HTTP {}: {}",
                self.status, self.body
            )
        })
    }

    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET url` (`http://host:port/path`).
pub fn get(url: &str) -> io::Result<HttpResponse> {
    request("GET", url, None)
}

/// `DELETE url`.
pub fn delete(url: &str) -> io::Result<HttpResponse> {
    request("DELETE", url, None)
}

/// `POST url` with `body` as `application/json`.
pub fn post_json(url: &str, body: &serde_json::Value) -> io::Result<HttpResponse> {
    request("POST", url, Some(body.to_string().as_bytes()))
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// One request on a fresh connection; the whole response is read before returning.
pub fn request(method: &str, url: &str, body: Option<&[u8]>) -> io::Result<HttpResponse> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid(format!("only http:// URLs are supported: {url}")))?;
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, "/"),
    };
    let address = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| invalid(format!("{authority} resolves to nothing")))?;
    let mut stream = TcpStream::connect_timeout(&address, STALL)?;
    stream.set_read_timeout(Some(STALL))?;
    stream.set_write_timeout(Some(STALL))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    if let Some(body) = body {
        head.push_str("Content-Type: application/json\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some(body) = body {
        stream.write_all(body)?;
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
}

/// Splits a whole response into status, headers and body.
fn parse(raw: &[u8]) -> io::Result<HttpResponse> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid(format!("no end of headers in {} bytes", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid(format!("bad status line {status_line:?}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut response = HttpResponse {
        status,
        headers,
        body: String::new(),
    };
    let mut body = raw[end + 4..].to_vec();
    if response
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        body = dechunk(&body)?;
    } else if let Some(length) = response
        .header("content-length")
        .and_then(|l| l.parse().ok())
    {
        body.truncate(length);
    }
    response.body = String::from_utf8_lossy(&body).into_owned();
    Ok(response)
}

/// Decodes a `Transfer-Encoding: chunked` body (chunk extensions and trailers ignored).
fn dechunk(mut raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| invalid("chunked body cut short".to_owned()))?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|e| invalid(format!("bad chunk size {size_text:?}: {e}")))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = raw
            .get(..size)
            .ok_or_else(|| invalid("chunk cut short".to_owned()))?;
        body.extend_from_slice(chunk);
        raw = raw.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_chunked_response() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n\
                    5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        let response = parse(raw).expect("a valid response");
        assert_eq!(response.status, 200);
        assert_eq!(response.header("x-a"), Some("b"));
        assert_eq!(response.body, "hello, world");
    }

    #[test]
    fn parses_a_sized_response() {
        let raw = b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope";
        let response = parse(raw).expect("a valid response");
        assert_eq!((response.status, response.body.as_str()), (404, "nope"));
    }
}
