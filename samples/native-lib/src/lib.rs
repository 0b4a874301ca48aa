//! C ABI exported by `libnative_lib.so` (see samples/README.md).
//!
//! C declarations:
//! ```c
//! int32_t     distbuild_add(int32_t a, int32_t b);   /* wrapping a + b */
//! const char *distbuild_greeting(void);              /* static, NUL-terminated, never free it */
//! uint32_t    distbuild_version(void);               /* 0x00MMmmpp = major/minor/patch */
//! ```

use std::os::raw::c_char;

static GREETING: &[u8] = b"hello from native-lib\0";

/// Returns `a + b` (wrapping on overflow, so it never panics across the FFI boundary).
#[no_mangle]
pub extern "C" fn distbuild_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

/// Returns a pointer to a static NUL-terminated UTF-8 string owned by the
/// library: "hello from native-lib". The caller must not free it.
#[no_mangle]
pub extern "C" fn distbuild_greeting() -> *const c_char {
    GREETING.as_ptr() as *const c_char
}

/// Returns the library version encoded as `major << 16 | minor << 8 | patch`
/// (0x000100 for 0.1.0).
#[no_mangle]
pub extern "C" fn distbuild_version() -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    (part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
        | (part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
        | part(env!("CARGO_PKG_VERSION_PATCH"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn add() {
        assert_eq!(distbuild_add(40, 2), 42);
        assert_eq!(distbuild_add(i32::MAX, 1), i32::MIN);
    }

    #[test]
    fn greeting() {
        let s = unsafe { CStr::from_ptr(distbuild_greeting()) };
        assert_eq!(s.to_str().unwrap(), "hello from native-lib");
    }

    #[test]
    fn version() {
        assert_eq!(distbuild_version(), 0x000100);
    }
}
