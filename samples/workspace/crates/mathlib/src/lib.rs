//! A plain library crate.

/// The second factor of the answer.
pub const SEVEN: i32 = 7;

/// Multiplies two numbers.
pub fn multiply(a: i32, b: i32) -> i32 {
    a * b
}

#[cfg(test)]
mod tests {
    #[test]
    fn multiplies() {
        assert_eq!(super::multiply(6, super::SEVEN), 42);
    }
}
