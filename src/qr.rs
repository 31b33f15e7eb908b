//! QR codes as SVG, for server-side rendering of the QR-scene `redirect_url` (no other
//! dependency needed in the page that shows it).
//!
//! The `qrcode` crate computes the modules; the SVG is one `<path>` with a run per row of
//! dark modules (the crate's own renderer writes a square per module: 3-5x larger pages).

use core::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

use crate::error::{code, Error, Result};

/// Quiet zone around the code, in modules (the QR standard asks for 4).
pub const QUIET_ZONE: usize = 4;

/// Renders `text` as an SVG QR code (error correction M, quiet zone included), `size` pixels
/// at least on each side (the module size is rounded up to whole pixels).
pub fn svg(text: &str, size: u32) -> Result<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        Error::config(
            code::BAD_ARGUMENT,
            format!("text: cannot be encoded as a QR code ({e})"),
        )
    })?;
    let width = code.width();
    let colors = code.to_colors();
    let dim = width + 2 * QUIET_ZONE;
    let px = (size as usize).div_ceil(dim).max(1) * dim;
    let mut path = String::with_capacity(width * width);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let run = x - start;
                let _ = write!(
                    path,
                    "M{} {}h{run}v1h-{run}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                );
            } else {
                x += 1;
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {dim} {dim}\" width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{dim}\" height=\"{dim}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg() {
        let s = super::svg("https://example.com/emulator/pre-entrust/abc", 200).unwrap();
        assert!(s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.contains("<path") && s.contains("viewBox=\"0 0 "));
        assert!(super::svg(&"x".repeat(5000), 200).is_err());
    }
}
