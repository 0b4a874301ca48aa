//! The wire format between the shim and the coordinator, as `DistBuild.Coordinator/Compilation/ShimProtocol.cs`
//! defines it: a frame is "DBRS", a version byte, a big-endian 32-bit payload length and the payload in .NET
//! `BinaryWriter` encoding (strings: 7-bit-encoded length, then UTF-8; counts and exit codes: little-endian i32;
//! flags: one byte, 0 or 1). After the request, the coordinator sends any number of early-stderr frames (bytes to write
//! to stderr at once: rustc's metadata notification of a compile still running, which cargo pipelines on) and one
//! response frame; each of its frames starts with a kind byte.

use std::io::{self, Read};

const MAGIC: &[u8; 4] = b"DBRS";
const VERSION: u8 = 3;
const RESPONSE_KIND: u8 = 0;
const EARLY_STDERR_KIND: u8 = 1;
const HEADER_LENGTH: usize = 9;
const MAX_PAYLOAD_LENGTH: usize = 512 << 20;

/// One rustc call as cargo made it: which rustc, its arguments, where, with what environment, and whether its
/// standard input is the null device (then a query that reads stdin reads nothing, wherever it runs).
pub struct Request<'a> {
    pub rustc: &'a str,
    pub arguments: &'a [String],
    pub working_directory: &'a str,
    pub environment: &'a [(String, String)],
    pub stdin_is_null: bool,
}

/// The coordinator's answer: run rustc here, or replay rustc's result.
pub enum Response {
    RunLocally,
    Completed { exit_code: i32, stdout: Vec<u8>, stderr: Vec<u8> },
}

pub fn encode_request(request: &Request) -> Vec<u8> {
    let mut frame = Vec::with_capacity(16 << 10);
    frame.extend_from_slice(MAGIC);
    frame.push(VERSION);
    frame.extend_from_slice(&[0; 4]);
    write_string(&mut frame, request.rustc);
    write_count(&mut frame, request.arguments.len());
    for argument in request.arguments {
        write_string(&mut frame, argument);
    }
    write_string(&mut frame, request.working_directory);
    write_count(&mut frame, request.environment.len());
    for (name, value) in request.environment {
        write_string(&mut frame, name);
        write_string(&mut frame, value);
    }
    frame.push(u8::from(request.stdin_is_null));
    let payload_length = (frame.len() - HEADER_LENGTH) as u32;
    frame[5..HEADER_LENGTH].copy_from_slice(&payload_length.to_be_bytes());
    frame
}

/// Reads frames up to the response, handing the bytes of each early-stderr frame to `early_stderr` as it arrives;
/// an error of kind InvalidData when the peer does not speak this protocol.
pub fn read_response(stream: &mut impl Read, mut early_stderr: impl FnMut(&[u8])) -> io::Result<Response> {
    loop {
        let payload = read_frame(stream)?;
        let mut reader = Reader { rest: &payload };
        match reader.take(1)?[0] {
            RESPONSE_KIND => return decode_response(reader),
            EARLY_STDERR_KIND => {
                let length = reader.read_count()?;
                early_stderr(reader.take(length)?);
            }
            kind => return Err(invalid(format!("shim protocol frame of unknown kind {kind}"))),
        }
    }
}

fn read_frame(stream: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut header = [0u8; HEADER_LENGTH];
    stream.read_exact(&mut header)?;
    if &header[..4] != MAGIC {
        return Err(invalid("the peer does not speak the DistBuild shim protocol".into()));
    }
    if header[4] != VERSION {
        return Err(invalid(format!(
            "shim protocol version {} is not supported (expected {VERSION}): the shim and the coordinator come from different DistBuild versions",
            header[4]
        )));
    }
    let length = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) as usize;
    if length > MAX_PAYLOAD_LENGTH {
        return Err(invalid(format!("shim protocol frame of {length} bytes is out of range")));
    }
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload)?;
    Ok(payload)
}

fn decode_response(mut reader: Reader) -> io::Result<Response> {
    let run_locally = reader.take(1)?[0] != 0;
    let exit_code = reader.read_i32()?;
    let stdout_length = reader.read_count()?;
    let stdout = reader.take(stdout_length)?.to_vec();
    let stderr_length = reader.read_count()?;
    let stderr = reader.take(stderr_length)?.to_vec();
    Ok(if run_locally { Response::RunLocally } else { Response::Completed { exit_code, stdout, stderr } })
}

fn write_string(frame: &mut Vec<u8>, value: &str) {
    // BinaryWriter's length prefix: the byte count, 7 bits at a time, low bits first.
    let mut length = value.len();
    while length >= 0x80 {
        frame.push((length as u8) | 0x80);
        length >>= 7;
    }
    frame.push(length as u8);
    frame.extend_from_slice(value.as_bytes());
}

fn write_count(frame: &mut Vec<u8>, count: usize) {
    frame.extend_from_slice(&(count as i32).to_le_bytes());
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> io::Result<&'a [u8]> {
        if count > self.rest.len() {
            return Err(invalid("shim protocol frame ends early".into()));
        }
        let (taken, rest) = self.rest.split_at(count);
        self.rest = rest;
        Ok(taken)
    }

    fn read_i32(&mut self) -> io::Result<i32> {
        let bytes = self.take(4)?;
        Ok(i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn read_count(&mut self) -> io::Result<usize> {
        let count = self.read_i32()?;
        usize::try_from(count).map_err(|_| invalid(format!("shim protocol count {count} is out of range")))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_framed_as_binary_writer_writes_it() {
        let arguments = vec!["--crate-name".to_string(), "café".to_string(), "x".repeat(200)];
        let environment = vec![("A".to_string(), "1".to_string())];
        let frame = encode_request(&Request { rustc: "rustc", arguments: &arguments, working_directory: "/w", environment: &environment, stdin_is_null: true });

        assert_eq!(&frame[..5], b"DBRS\x03");
        assert_eq!(u32::from_be_bytes(frame[5..9].try_into().unwrap()) as usize, frame.len() - 9);
        assert_eq!(&frame[9..15], b"\x05rustc");
        assert_eq!(&frame[15..19], &3i32.to_le_bytes());
        assert_eq!(&frame[32..38], "\x05caf\u{e9}".as_bytes());
        // 200 bytes: two length bytes, 0xC8 0x01.
        assert_eq!(&frame[38..40], &[0xC8, 0x01]);
        assert_eq!(frame.last(), Some(&1));
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut frame = b"DBRS\x03".to_vec();
        frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        frame.extend_from_slice(payload);
        frame
    }

    #[test]
    fn a_response_is_read_back_after_the_early_stderr_before_it() {
        let mut early = vec![1u8];
        early.extend_from_slice(&5i32.to_le_bytes());
        early.extend_from_slice(b"meta\n");
        let mut payload = vec![0u8, 0u8];
        payload.extend_from_slice(&7i32.to_le_bytes());
        payload.extend_from_slice(&2i32.to_le_bytes());
        payload.extend_from_slice(b"ok");
        payload.extend_from_slice(&0i32.to_le_bytes());
        let frames = [frame(&early), frame(&early), frame(&payload)].concat();

        let mut written = Vec::new();
        match read_response(&mut frames.as_slice(), |bytes| written.extend_from_slice(bytes)).unwrap() {
            Response::Completed { exit_code, stdout, stderr } => assert_eq!((exit_code, stdout, stderr), (7, b"ok".to_vec(), vec![])),
            Response::RunLocally => panic!("expected a result"),
        }
        assert_eq!(written, b"meta\nmeta\n");
    }

    #[test]
    fn a_frame_of_unknown_kind_is_refused() {
        let error = read_response(&mut frame(&[9u8]).as_slice(), |_| {}).err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn another_protocol_or_version_is_refused() {
        let wrong = read_response(&mut &b"HTTP/1.1 400"[..], |_| {}).err().unwrap();
        assert_eq!(wrong.kind(), io::ErrorKind::InvalidData);
        let newer = read_response(&mut &b"DBRS\x04\0\0\0\0"[..], |_| {}).err().unwrap();
        assert!(newer.to_string().contains("version 4"));
    }
}
