//! The HTML summary of a run (`--html FILE`): one self-contained page, no script and nothing
//! fetched, that an auditor opens in a browser: the counts by verdict as a table and a bar
//! chart (inline SVG), by class and by issuing CA, and the verdicts that changed.

use std::fmt::Write as _;

use super::summary::Summary;

/// The page for `summary`; `title` names the run, `facts` are (label, value) lines about it
/// (when, mode, selection).
pub(crate) fn page(title: &str, facts: &[(&str, String)], summary: &Summary) -> String {
    let mut html =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(html, "<title>{}</title>", escape(title));
    html.push_str(STYLE);
    html.push_str("</head>\n<body>\n");
    let _ = writeln!(html, "<h1>{}</h1>", escape(title));
    html.push_str("<dl id=\"facts\">\n");
    for (label, value) in facts {
        let _ = writeln!(html, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(value));
    }
    let _ = writeln!(
        html,
        "<dt>results</dt><dd>{}</dd><dt>time</dt><dd>{:.1} s ({:.0}/s)</dd>",
        summary.total,
        summary.seconds,
        summary.rate()
    );
    html.push_str("</dl>\n");

    html.push_str("<h2>Verdicts</h2>\n");
    html.push_str(&chart(summary));
    let mut rows: Vec<(String, u64)> = summary
        .by_verdict
        .iter()
        .map(|(v, n)| (v.clone(), *n))
        .collect();
    if summary.errors > 0 {
        rows.push(("not verified".into(), summary.errors));
    }
    table(
        &mut html,
        "verdicts",
        &["verdict", "count"],
        rows.iter().map(|(v, n)| vec![v.clone(), n.to_string()]),
    );

    for (id, title, by) in [
        ("classes", "By class", &summary.by_class),
        ("issuers", "By issuing CA", &summary.by_issuer),
    ] {
        if by.is_empty() {
            continue;
        }
        let _ = writeln!(html, "<h2>{title}</h2>");
        let indications: Vec<&str> = INDICATIONS
            .iter()
            .copied()
            .filter(|i| by.values().any(|counts| counts.contains_key(*i)))
            .collect();
        let mut header = vec![if id == "classes" { "class" } else { "CA" }];
        header.extend(&indications);
        let rows = by.iter().map(|(name, counts)| {
            let mut row = vec![name.clone()];
            row.extend(
                indications
                    .iter()
                    .map(|i| counts.get(*i).copied().unwrap_or(0).to_string()),
            );
            row
        });
        table(&mut html, id, &header, rows);
    }

    let _ = writeln!(
        html,
        "<h2>Changed since the verdict known before: {}</h2>",
        summary.changed
    );
    if !summary.changes.is_empty() {
        table(
            &mut html,
            "changes",
            &["document", "before", "now"],
            summary
                .changes
                .iter()
                .map(|c| vec![c.id.clone(), c.from.clone(), c.to.clone()]),
        );
        if summary.changed > summary.changes.len() as u64 {
            let _ = writeln!(
                html,
                "<p>The first {} are listed; every change is in the results.</p>",
                summary.changes.len()
            );
        }
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// The three indications, in the order a reader looks for them.
const INDICATIONS: [&str; 3] = ["TOTAL_PASSED", "INDETERMINATE", "TOTAL_FAILED"];

/// A horizontal bar per verdict, its width proportional to its count.
fn chart(summary: &Summary) -> String {
    const WIDTH: f64 = 480.0;
    const BAR: usize = 22;
    let max = summary
        .by_verdict
        .values()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = BAR * summary.by_verdict.len().max(1) + 4;
    let mut svg = format!(
        "<svg id=\"chart\" role=\"img\" aria-label=\"verdicts\" width=\"860\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    for (row, (verdict, count)) in summary.by_verdict.iter().enumerate() {
        let y = row * BAR + 2;
        let width = (*count as f64 / max * WIDTH).max(1.0);
        let colour = match verdict.split(" / ").next() {
            Some("TOTAL_PASSED") => "#2e7d32",
            Some("TOTAL_FAILED") => "#c62828",
            _ => "#f9a825",
        };
        let _ = writeln!(
            svg,
            "<g class=\"bar\"><text x=\"0\" y=\"{}\">{}</text><rect x=\"300\" y=\"{y}\" width=\"{width:.1}\" \
             height=\"{}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{}\">{count}</text></g>",
            y + 15,
            escape(verdict),
            BAR - 6,
            306.0 + width,
            y + 15,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn table(html: &mut String, id: &str, header: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let _ = write!(html, "<table id=\"{id}\">\n<thead><tr>");
    for cell in header {
        let _ = write!(html, "<th>{}</th>", escape(cell));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        html.push_str("<tr>");
        for cell in row {
            let _ = write!(html, "<td>{}</td>", escape(&cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

/// Text as HTML character data or an attribute value (HTML Living Standard §13.1.2.6).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "<style>\n\
body { font-family: sans-serif; margin: 2em; color: #222; }\n\
table { border-collapse: collapse; margin: 1em 0; }\n\
th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: left; }\n\
td:not(:first-child) { text-align: right; }\n\
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }\n\
dt { font-weight: bold; }\n\
svg text { font-size: 13px; }\n\
</style>\n";

#[cfg(test)]
mod tests {
    use super::super::summary::{Change, Tally};
    use super::*;

    #[test]
    fn the_page_escapes_what_it_shows_and_has_every_table() {
        let mut summary = Summary::default();
        summary.add(Tally {
            verdict: Some(("TOTAL_FAILED", Some("REVOKED_NO_POE"))),
            class: Some("project-documentation"),
            issuers: vec!["CN=<script>alert(1)</script>"],
            change: Some(Change {
                id: "doc".into(),
                from: "TOTAL_PASSED".into(),
                to: "TOTAL_FAILED / REVOKED_NO_POE".into(),
            }),
        });
        let page = page("Re-verification", &[("mode", "now".into())], &summary);
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("CN=&lt;script&gt;"), "{page}");
        for id in ["chart", "verdicts", "classes", "issuers", "changes"] {
            assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
        }
    }
}
