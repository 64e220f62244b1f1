//! In homologation, where the beneficiary validates: the sandbox's Chèque-Vacances app, as a
//! link and as a QR code to scan with a phone (there is no push notification in homologation).

use crate::state::AppState;
use serde::Serialize;

/// The sandbox app's address and its QR code.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SandboxAppLink {
    /// The app's page, absolute.
    pub app_url: String,
    /// An SVG QR code of `app_url`.
    pub qr_svg: String,
}

impl SandboxAppLink {
    /// The link in homologation; `None` in production (there is no sandbox).
    pub(crate) fn of(state: &AppState) -> Option<SandboxAppLink> {
        state.homologation.then(|| {
            let app_url = format!("{}/sandbox/ancv/app/", state.public_base);
            SandboxAppLink {
                qr_svg: qr_svg(&app_url),
                app_url,
            }
        })
    }
}

/// An SVG QR code of `text` (empty if it cannot be encoded).
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(144, 144)
            .build(),
        Err(_) => String::new(),
    }
}
