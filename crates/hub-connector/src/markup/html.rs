//! The model form: a small, canonical HTML subset.

/// Escapes text for the model.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Paragraphs separated by blank lines, lines by `<br>`.
pub(crate) fn plain_to_model(text: &str) -> String {
    let mut paragraphs = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                let escaped: Vec<String> = lines.iter().map(|l| escape(l.trim())).collect();
                paragraphs.push(format!("<p>{}</p>", escaped.join("<br>")));
                lines.clear();
            }
        } else {
            lines.push(line);
        }
    }
    paragraphs.join("\n")
}

/// Drops tags, keeping paragraphs and line breaks, and decodes the escapes.
pub(crate) fn model_to_plain(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        match &rest[start..end] {
            "<br>" => out.push('\n'),
            "</p>" => out.push_str("\n\n"),
            _ => {}
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let out = out.replace("\n\n\n", "\n\n");
    out.trim_end()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}
