//! QR codes as SVG, for server-side rendering of the QR-scene `redirect_url` (no other
//! dependency needed in the page that shows it).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::{code, Error, Result};

/// Renders `text` as an SVG QR code (error correction M, quiet zone included), `size` pixels
/// at least on each side.
pub fn svg(text: &str, size: u32) -> Result<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        Error::config(
            code::BAD_ARGUMENT,
            format!("text: cannot be encoded as a QR code ({e})"),
        )
    })?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(size, size)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg() {
        let s = super::svg("https://example.com/emulator/pre-entrust/abc", 200).unwrap();
        assert!(
            s.starts_with("<?xml") || s.starts_with("<svg"),
            "{}",
            &s[..40]
        );
        assert!(s.contains("<path") || s.contains("<rect"));
        assert!(super::svg(&"x".repeat(5000), 200).is_err());
    }
}
