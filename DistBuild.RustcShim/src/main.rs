//! distbuild-rustc-shim: cargo's RUSTC_WRAPPER. Cargo runs `SHIM /path/to/rustc ARGS…`; the shim hands the call to
//! the coordinator named by DISTBUILD_COORDINATOR and replays its answer, or runs rustc itself when told to (a query
//! reading a stdin that is not the null device) and whenever no coordinator is there, so a stray shim never breaks a build.
//!
//! Written in Rust with the standard library only: cargo starts it for every rustc call, and a .NET runtime's start
//! (even NativeAOT's) costs about 4 ms of CPU each time; this starts in about one.

mod protocol;

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use protocol::{Request, Response};

const COORDINATOR_VARIABLE: &str = "DISTBUILD_COORDINATOR";

fn main() -> ExitCode {
    let mut arguments = std::env::args_os().skip(1);
    let Some(rustc) = arguments.next() else {
        eprintln!("usage: distbuild-rustc-shim RUSTC [ARGS…] (cargo calls it as RUSTC_WRAPPER)");
        return ExitCode::from(2);
    };
    let rustc_arguments: Vec<OsString> = arguments.collect();

    match std::env::var_os(COORDINATOR_VARIABLE) {
        Some(socket) if !socket.is_empty() => match ask_coordinator(&socket, &rustc, &rustc_arguments) {
            Some(Response::Completed { exit_code, stdout, stderr }) => replay(exit_code, &stdout, &stderr),
            Some(Response::RunLocally) | None => run_locally(&rustc, &rustc_arguments),
        },
        _ => run_locally(&rustc, &rustc_arguments),
    }
}

/// The coordinator's answer, or None when there is none to be had (the caller then runs rustc itself).
fn ask_coordinator(socket: &OsString, rustc: &OsString, arguments: &[OsString]) -> Option<Response> {
    // The protocol carries UTF-8; a call it cannot carry exactly runs here instead.
    let rustc = rustc.to_str()?;
    let arguments = arguments.iter().map(|a| a.to_str().map(str::to_owned)).collect::<Option<Vec<_>>>()?;
    let working_directory = std::env::current_dir().ok()?;
    let working_directory = working_directory.to_str()?;
    let environment: Vec<(String, String)> = std::env::vars_os()
        .map(|(name, value)| (name.to_string_lossy().into_owned(), value.to_string_lossy().into_owned()))
        .collect();

    // No coordinator listening (a stale variable, or the build that set it is gone): compile locally, silently.
    let mut stream = UnixStream::connect(socket).ok()?;
    let request = protocol::encode_request(&Request {
        rustc,
        arguments: &arguments,
        working_directory,
        environment: &environment,
        stdin_is_null: stdin_is_null(),
    });
    // Early stderr (rustc's metadata notification) goes out at once, so cargo starts the crates that wait on it.
    let mut wrote_early = false;
    let early_stderr = |bytes: &[u8]| {
        let mut stderr = io::stderr().lock();
        let _ = stderr.write_all(bytes).and_then(|()| stderr.flush());
        wrote_early = true;
    };
    match stream.write_all(&request).and_then(|()| protocol::read_response(&mut stream, early_stderr)) {
        Ok(response) => Some(response),
        Err(error) if wrote_early => {
            // cargo has had this compile's metadata notification; a local rustc would send it a second one.
            let message = format!("error: distbuild: lost the coordinator at {} ({error}) while compiling\n", socket.to_string_lossy());
            Some(Response::Completed { exit_code: 1, stdout: Vec::new(), stderr: message.into_bytes() })
        }
        Err(error) => {
            // The coordinator went away mid-call. Compiling locally is safe (a compile is idempotent) and keeps the build going.
            eprintln!("warning: distbuild: lost the coordinator at {} ({error}); compiling locally", socket.to_string_lossy());
            None
        }
    }
}

/// Whether standard input is the null device, as cargo gives its probes: then the coordinator may answer a query
/// that reads stdin (from its probe cache) without anything being lost. A pipe, a file, a terminal or a closed
/// stdin is not, and such a query runs here.
fn stdin_is_null() -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    match (std::fs::metadata("/proc/self/fd/0"), std::fs::metadata("/dev/null")) {
        (Ok(stdin), Ok(null)) => stdin.file_type().is_char_device() && stdin.rdev() == null.rdev(),
        _ => false,
    }
}

/// Writes a remote rustc's output byte for byte, so cargo reads rustc's JSON, and exits with its code.
fn replay(exit_code: i32, stdout: &[u8], stderr: &[u8]) -> ExitCode {
    // A reader that went away (cargo cancelled) makes the writes fail; the exit code still says what rustc did.
    let _ = io::stdout().lock().write_all(stdout).and_then(|()| io::stdout().flush());
    let _ = io::stderr().lock().write_all(stderr);
    ExitCode::from(exit_status(exit_code))
}

/// A process exit status says 0 to 255; a failure outside that range must not wrap around to 0, success.
fn exit_status(exit_code: i32) -> u8 {
    match u8::try_from(exit_code) {
        Ok(status) => status,
        Err(_) => 1,
    }
}

/// Replaces this process with rustc, so stdin, signals and the exit status are rustc's own.
fn run_locally(rustc: &OsString, arguments: &[OsString]) -> ExitCode {
    let error = Command::new(rustc).args(arguments).exec();
    eprintln!("error: distbuild: could not run {}: {error}", rustc.to_string_lossy());
    ExitCode::from(1)
}

#[cfg(test)]
mod tests {
    use super::exit_status;

    #[test]
    fn exit_codes_keep_their_meaning() {
        assert_eq!((exit_status(0), exit_status(1), exit_status(101)), (0, 1, 101));
        assert_eq!((exit_status(256), exit_status(-9)), (1, 1));
    }
}
