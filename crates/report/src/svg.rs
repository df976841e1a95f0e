//! Hand-written inline SVG charts ([`crate::model::Chart`] drawn). Pure string building: callers pass labels
//! already translated and values already disclosure-controlled (a hidden bar has no value).

use crate::model::{Curve, HBar, VBar};
use std::fmt::Write;

/// Colours of series, in order (colour-blind-safe palette).
pub const PALETTE: [&str; 4] = ["#1b6ca8", "#f29e4c", "#9aa5b1", "#5b8e3e"];

/// Escapes text for SVG/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The font size of every chart text, in px at the chart's natural size.
pub const FONT_PX: u32 = 12;

/// The widest chart (px): it is drawn at its natural size, so its text at [`FONT_PX`], on a
/// 1280 px screen (the page's content is 924 px wide); narrower screens scale it down.
pub const MAX_WIDTH: f64 = 900.0;

fn open(w: f64, h: f64, title: &str) -> String {
    debug_assert!(w <= MAX_WIDTH, "chart wider than {MAX_WIDTH}: {w}");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"{t}\" class=\"chart\"><title>{t}</title>\
         <style>text{{font:{FONT_PX}px sans-serif;fill:#222}}.muted{{fill:#666}}</style>",
        t = esc(title)
    )
}

/// The most characters of a bar label that fit the label column; longer ones are cut with
/// "…" (the whole label is the text's tooltip).
const LABEL_CHARS: usize = 56;

fn label_text(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        esc(label)
    } else {
        let cut: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("<title>{}</title>{}…", esc(label), esc(&cut))
    }
}

fn legend(svg: &mut String, x: f64, y: f64, labels: &[&str]) {
    let mut at = x;
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            svg,
            "<rect x=\"{at}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            y - 10.0,
            PALETTE[i % PALETTE.len()],
            at + 16.0,
            y,
            esc(l)
        );
        at += 16.0 + 7.0 * l.chars().count() as f64 + 24.0;
    }
}

/// One horizontal bar of 100 % split into segments (e.g. booked / activity / not placed).
/// Negative values are drawn as zero; `texts` are the labels shown under the bar.
pub fn stacked_bar(title: &str, labels: &[&str], values: &[f64], texts: &[String]) -> String {
    let (w, h) = (720.0, 110.0);
    let mut svg = open(w, h, title);
    let positive: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let (x0, bar_w) = (10.0, w - 20.0);
    let mut x = x0;
    if positive > 0.0 {
        for (i, v) in values.iter().enumerate() {
            let seg = bar_w * v.max(0.0) / positive;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"30\" width=\"{seg:.1}\" height=\"30\" fill=\"{}\"/>",
                PALETTE[i % PALETTE.len()]
            );
            x += seg;
        }
    }
    let parts: Vec<String> = labels
        .iter()
        .zip(texts)
        .map(|(l, t)| format!("{l}: {t}"))
        .collect();
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    legend(&mut svg, x0, 90.0, &refs);
    svg.push_str("</svg>");
    svg
}

/// Horizontal stacked bars with a legend for the parts.
pub fn hbars(title: &str, series: &[&str], bars: &[HBar]) -> String {
    // Room for the longest label (≈ 6.5 px a character at the chart's font size), so long
    // target-group names are not cut off at the left edge.
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest.min(LABEL_CHARS) as f64 * 6.5 + 16.0).clamp(120.0, 390.0);
    let (bar_w, row_h) = (380.0, 26.0);
    let w = label_w + bar_w + 130.0;
    let h = 40.0 + row_h * bars.len() as f64 + 10.0;
    let mut svg = open(w, h, title);
    legend(&mut svg, label_w, 20.0, series);
    let max = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.max(0.0)).sum::<f64>())
        .fold(0.0, f64::max);
    for (r, b) in bars.iter().enumerate() {
        let y = 36.0 + row_h * r as f64;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            label_text(&b.label)
        );
        let mut x = label_w;
        if max > 0.0 {
            for (i, p) in b.parts.iter().enumerate() {
                let seg = bar_w * p.max(0.0) / max;
                let _ = write!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"{}\" width=\"{seg:.1}\" height=\"18\" fill=\"{}\"/>",
                    y + 2.0,
                    PALETTE[i % PALETTE.len()]
                );
                x += seg;
            }
        }
        let class = if b.parts.is_empty() {
            " class=\"muted\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\"{class}>{}</text>",
            x + 6.0,
            y + 15.0,
            esc(&b.value_text)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars (a distribution), with the x-axis title under them.
pub fn vbars(title: &str, x_label: &str, bars: &[VBar]) -> String {
    let (w, h) = (560.0, 300.0);
    let (left, bottom, top) = (40.0, 250.0, 30.0);
    let mut svg = open(w, h, title);
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let slot = (w - left - 20.0) / bars.len().max(1) as f64;
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{}\" y2=\"{bottom}\" stroke=\"#444\"/>",
        w - 20.0
    );
    for (i, b) in bars.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let height = match b.value {
            Some(v) if max > 0.0 => (bottom - top - 20.0) * v.max(0.0) / max,
            _ => 0.0,
        };
        if b.value.is_some() {
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{}\"/>",
                cx - slot * 0.35,
                bottom - height,
                slot * 0.7,
                PALETTE[0]
            );
        }
        let class = if b.value.is_none() {
            " class=\"muted\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\"{class}>{}</text>\
             <text x=\"{cx:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            bottom - height - 6.0,
            esc(&b.value_text),
            bottom + 16.0,
            esc(&b.label)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></svg>",
        left + (w - left - 20.0) / 2.0,
        bottom + 40.0,
        esc(x_label)
    );
    svg
}

/// Lorenz curves with the line of equality and axes ticked at every quarter.
pub fn lorenz(
    title: &str,
    x_label: &str,
    y_label: &str,
    equality_label: &str,
    curves: &[Curve],
    tick: &dyn Fn(f64) -> String,
) -> String {
    let (w, h) = (520.0, 470.0);
    let (left, top, size) = (70.0, 40.0, 360.0);
    let px = |x: f64| left + size * x;
    let py = |y: f64| top + size * (1.0 - y);
    let mut svg = open(w, h, title);
    for i in 0..=4 {
        let v = i as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{yl}</text>\
             <text x=\"{x:.1}\" y=\"{bx}\" text-anchor=\"middle\">{xl}</text>",
            l = left,
            r = left + size,
            y = py(v),
            tx = left - 6.0,
            ty = py(v) + 4.0,
            yl = esc(&tick(v)),
            x = px(v),
            bx = top + size + 18.0,
            xl = esc(&tick(v)),
        );
    }
    let _ = write!(
        svg,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{size}\" height=\"{size}\" fill=\"none\" stroke=\"#444\"/>\
         <line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>",
        px(0.0),
        py(0.0),
        px(1.0),
        py(1.0)
    );
    for (i, c) in curves.iter().enumerate() {
        if c.points.is_empty() {
            continue;
        }
        let mut d = format!("M{:.2},{:.2}", px(0.0), py(0.0));
        for &(x, y) in &c.points {
            let _ = write!(d, " L{:.2},{:.2}", px(x), py(y));
        }
        let _ = write!(
            svg,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
            PALETTE[i % PALETTE.len()]
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text transform=\"translate(16,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        left + size / 2.0,
        top + size + 40.0,
        esc(x_label),
        top + size / 2.0,
        esc(y_label)
    );
    let mut labels: Vec<&str> = curves.iter().map(|c| c.label.as_str()).collect();
    labels.push(equality_label);
    legend(&mut svg, left, 20.0, &labels);
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced(svg: &str) {
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<svg").count(), 1);
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }

    #[test]
    fn text_is_escaped() {
        let s = hbars(
            "a<b",
            &["x&y"],
            &[HBar {
                label: "<script>".into(),
                parts: vec![1.0],
                value_text: "1".into(),
            }],
        );
        assert!(!s.contains("<script>") && s.contains("&lt;script&gt;") && s.contains("x&amp;y"));
        balanced(&s);
    }

    #[test]
    fn hidden_bars_draw_no_rectangle() {
        let s = vbars(
            "t",
            "x",
            &[
                VBar {
                    label: "0".into(),
                    value: Some(10.0),
                    value_text: "10".into(),
                },
                VBar {
                    label: "1".into(),
                    value: None,
                    value_text: "<5".into(),
                },
            ],
        );
        balanced(&s);
        assert_eq!(s.matches("<rect").count(), 1);
        assert!(s.contains("&lt;5"));
    }

    #[test]
    fn lorenz_has_diagonal_and_one_path_per_curve() {
        let s = lorenz(
            "t",
            "x",
            "y",
            "eq",
            &[Curve {
                label: "c".into(),
                points: vec![(0.5, 0.1), (1.0, 1.0)],
            }],
            &|v| format!("{v}"),
        );
        balanced(&s);
        assert_eq!(s.matches("<path").count(), 1);
        assert!(s.contains("stroke-dasharray"));
        // The curve ends at the top-right corner (1, 1) = (430, 40).
        assert!(s.contains("L430.00,40.00"));
    }

    #[test]
    fn stacked_bar_scales_to_positive_parts() {
        let s = stacked_bar("t", &["a", "b"], &[3.0, 1.0], &["75".into(), "25".into()]);
        balanced(&s);
        assert!(s.contains("width=\"525.0\""), "{s}");
        assert!(s.contains("width=\"175.0\""));
    }
}
