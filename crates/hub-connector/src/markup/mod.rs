//! Rich text through the model: every tracker's markup converts to one HTML subset and back.
//!
//! Work items move between trackers that write rich text differently (Redmine Textile or
//! Markdown, Trac WikiFormatting, HTML elsewhere). The engine compares and copies the *model*
//! form, so each connector converts once at its edge: [`to_model`] when reading, [`from_model`]
//! when writing. Two properties keep synchronization quiet, and the tests prove both: writing a
//! model value to a markup and reading it back yields the same model value (otherwise the engine
//! would see its own writes as changes and echo them), and plain text full of markup characters
//! survives every markup.
//!
//! Every markup is read into one small document tree (`tree`), brought into a normal form, and
//! written from it. The model form is the HTML subset documented in `html`: `p`, `h1`–`h6`,
//! `ul`/`ol`/`li`, `pre`, `blockquote`, `hr`, `strong`, `em`, `u`, `del`, `code`, `a href`,
//! `img src alt`, `br`. Constructs a markup cannot express degrade to their text, never vanish.
//!
//! Writers first try the natural notation a person would type; when reading that back would not
//! give the same tree (a `*` in running text that happens to pair up with another), they write
//! the block again with every markup character escaped.

mod dom;
mod html;
mod markdown;
mod plain;
mod textile;
mod trac;
mod tree;

#[cfg(test)]
mod tests;

use tree::{Block, normalize};

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

/// How much a writer escapes: as a person would write, or every markup character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Natural,
    Escaped,
}

/// Native text → model rich text (the HTML subset described in this module).
pub fn to_model(text: &str, from: Markup) -> String {
    html::write(&read(text, from))
}

/// Model rich text (the HTML subset) → native text.
pub fn from_model(html: &str, to: Markup) -> String {
    let blocks = normalize(html::read(html));
    if to == Markup::Html {
        return html::write(&blocks);
    }
    let parts: Vec<String> = blocks.iter().map(|b| write_block(b, to)).collect();
    parts.join("\n\n")
}

fn read(text: &str, from: Markup) -> Vec<Block> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    normalize(match from {
        Markup::Plain => plain::read(&text),
        Markup::Markdown => markdown::read(&text),
        Markup::Textile => textile::read(&text),
        Markup::TracWiki => trac::read(&text),
        Markup::Html => html::read(&text),
    })
}

/// Writes one block, escaping everything when the natural notation would not read back.
fn write_block(block: &Block, to: Markup) -> String {
    let write = |mode| match to {
        Markup::Plain | Markup::Html => plain::write(std::slice::from_ref(block)),
        Markup::Markdown => markdown::write(block, mode),
        Markup::Textile => textile::write(block, mode),
        Markup::TracWiki => trac::write(block, mode),
    };
    let natural = write(Mode::Natural);
    if to == Markup::Plain || read(&natural, to) == [block.clone()] {
        return natural;
    }
    write(Mode::Escaped)
}
