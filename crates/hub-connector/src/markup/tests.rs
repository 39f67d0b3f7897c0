//! Conversions of realistic tracker texts, and the properties synchronization relies on.

use proptest::prelude::*;

use super::{Markup, from_model, to_model};

const ALL: [Markup; 5] = [
    Markup::Plain,
    Markup::Markdown,
    Markup::Textile,
    Markup::TracWiki,
    Markup::Html,
];

/// Writing `model` to `markup` and reading it back gives `model` again.
fn assert_stable(model: &str, markup: Markup) {
    let native = from_model(model, markup);
    assert_eq!(
        to_model(&native, markup),
        model,
        "{markup:?} wrote {native:?}"
    );
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/markup/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn markdown_reads_common_constructs() {
    let text = "## Steps\n\nRun **cargo** with *care* and `--x`:\n\n1. first\n2. second\n   - nested\n\n> quoted\n\n```\nfn main() {}\n```\n\nSee [docs](http://x.org/a_b) or <https://y.org>.";
    let model = to_model(text, Markup::Markdown);
    assert_eq!(
        model,
        "<h2>Steps</h2>\n<p>Run <strong>cargo</strong> with <em>care</em> and <code>--x</code>:</p>\n\
         <ol>\n<li>first</li>\n<li>second\n<ul>\n<li>nested</li>\n</ul></li>\n</ol>\n\
         <blockquote>\n<p>quoted</p>\n</blockquote>\n<pre>fn main() {}</pre>\n\
         <p>See <a href=\"http://x.org/a_b\">docs</a> or <a href=\"https://y.org\">https://y.org</a>.</p>"
    );
    assert_stable(&model, Markup::Markdown);
}

#[test]
fn textile_reads_redmine_constructs() {
    let text = "h2. Steps\n\n*bold* _italic_ +under+ -gone- @code@ and \"a link\":http://x.org/p.\n\n* one\n** two\n# numbered\n\n<pre>\nraw *text*\n</pre>\n\nbq. quoted";
    let model = to_model(text, Markup::Textile);
    assert_eq!(
        model,
        "<h2>Steps</h2>\n<p><strong>bold</strong> <em>italic</em> <u>under</u> <del>gone</del> \
         <code>code</code> and <a href=\"http://x.org/p\">a link</a>.</p>\n\
         <ul>\n<li>one\n<ul>\n<li>two</li>\n</ul></li>\n</ul>\n<ol>\n<li>numbered</li>\n</ol>\n\
         <pre>raw *text*</pre>\n<blockquote>\n<p>quoted</p>\n</blockquote>"
    );
    assert_stable(&model, Markup::Textile);
}

#[test]
fn textile_keeps_words_with_marks_as_text() {
    let model = to_model("snake_case_name, a-b-c and 2*3*4", Markup::Textile);
    assert_eq!(model, "<p>snake_case_name, a-b-c and 2*3*4</p>");
}

#[test]
fn trac_reads_wiki_formatting() {
    let text = "= Title =\n\n'''bold''' ''italic'' {{{code}}} [http://x.org label] !WikiName[[BR]]next\n\n * a\n   * b\n 1. c\n\n{{{\n#!python\nprint(1)\n}}}\n\n----";
    let model = to_model(text, Markup::TracWiki);
    assert_eq!(
        model,
        "<h1>Title</h1>\n<p><strong>bold</strong> <em>italic</em> <code>code</code> \
         <a href=\"http://x.org\">label</a> WikiName<br>next</p>\n\
         <ul>\n<li>a\n<ul>\n<li>b</li>\n</ul></li>\n</ul>\n<ol>\n<li>c</li>\n</ol>\n\
         <pre>print(1)</pre>\n<hr>"
    );
    assert_stable(&model, Markup::TracWiki);
}

#[test]
fn trac_escapes_implicit_links_from_elsewhere() {
    let model = to_model("See TracGuide and #12, not ''this''", Markup::Plain);
    assert_eq!(
        from_model(&model, Markup::TracWiki),
        "See !TracGuide and !#12, not !''this!''"
    );
}

#[test]
fn html_from_editors_is_tidied() {
    let html = "<div><P class=x>One<br/>two &amp; <b>three</b><p>Four <span>five</span><ul><li><p>six</p></li></ul><script>x()</script>";
    assert_eq!(
        to_model(html, Markup::Html),
        "<p>One<br>two &amp; <strong>three</strong></p>\n<p>Four five</p>\n<ul>\n<li>six</li>\n</ul>"
    );
}

#[test]
fn model_converts_between_markups() {
    let model = to_model(
        "h3. Plan\n\n* *ship* it: \"notes\":http://x.org",
        Markup::Textile,
    );
    assert_eq!(
        from_model(&model, Markup::Markdown),
        "### Plan\n\n- **ship** it: [notes](http://x.org)"
    );
    assert_eq!(
        from_model(&model, Markup::TracWiki),
        "=== Plan ===\n\n * '''ship''' it: [http://x.org notes]"
    );
    assert_eq!(
        from_model(&model, Markup::Plain),
        "Plan\n\n- ship it: notes (http://x.org)"
    );
}

#[test]
fn unknown_constructs_stay_as_text() {
    let model = to_model("|table|cell|\n\nfn1. footnote ^sup^", Markup::Textile);
    assert_eq!(model, "<p>|table|cell|</p>\n<p>fn1. footnote ^sup^</p>");
    let model = to_model("[[TOC]] [wiki page]", Markup::TracWiki);
    assert_eq!(model, "<p>[[TOC]] [wiki page]</p>");
}

#[test]
fn special_characters_are_escaped_in_every_markup() {
    let text = "# not a heading\n*not bold* _x_ <b> &amp; {{{ '''x''' [y](z) @c@ -d- = e =\n> no quote\n1. no list";
    let model = to_model(text, Markup::Plain);
    for markup in ALL {
        assert_stable(&model, markup);
    }
}

#[test]
fn fixtures_read_and_round_trip() {
    for (name, markup, tags) in [
        (
            "redmine.textile",
            Markup::Textile,
            ["<h2>", "<strong>", "<pre>"],
        ),
        ("trac.wiki", Markup::TracWiki, ["<h2>", "<em>", "<pre>"]),
        ("tracker.md", Markup::Markdown, ["<h2>", "<em>", "<pre>"]),
    ] {
        let model = to_model(&fixture(name), markup);
        for tag in tags {
            assert!(model.contains(tag), "{name}: no {tag} in {model}");
        }
        assert!(model.contains("<li>"), "{name}: no list in {model}");
        for target in ALL {
            let back = to_model(&from_model(&model, target), target);
            assert_stable(&back, target);
        }
        assert_stable(&model, markup);
    }
}

#[test]
fn pathological_input_takes_linear_time() {
    let cases = [
        "*a _b ", "[", "<b>", "''", "``` ", "> ", "  * ", "\"x\":", "{{{", "**", "![",
    ];
    for unit in cases {
        let text = unit.repeat(20_000);
        let start = std::time::Instant::now();
        for markup in ALL {
            let model = to_model(&text, markup);
            let _ = from_model(&model, markup);
        }
        assert!(
            start.elapsed().as_secs() < 10,
            "{unit:?} took {:?}",
            start.elapsed()
        );
    }
}

/// Text built from the characters markups care about.
fn markupish() -> impl Strategy<Value = String> {
    "(?s)[a-cA-C0-9 *_#>=+\\-\\[\\]()!'\"{}~^@&<>|:/.,`\\\\\n]{0,60}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn model_values_are_stable(text in markupish()) {
        for markup in ALL {
            let model = to_model(&text, markup);
            let again = to_model(&from_model(&model, markup), markup);
            prop_assert_eq!(&again, &model, "{:?} from {:?}", markup, text);
        }
    }

    #[test]
    fn plain_text_survives_every_markup(text in markupish()) {
        let model = to_model(&text, Markup::Plain);
        for markup in ALL {
            let native = from_model(&model, markup);
            prop_assert_eq!(&to_model(&native, markup), &model, "{:?} wrote {:?}", markup, native);
        }
    }

    #[test]
    fn arbitrary_input_never_panics(text in "\\PC{0,80}", html in "(<[a-z/]{0,4}[ a-z=\"]{0,6}>|[^<]{0,6}){0,12}") {
        for markup in ALL {
            let _ = from_model(&to_model(&text, markup), markup);
            let _ = from_model(&html, markup);
        }
    }
}
