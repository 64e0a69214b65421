//! What every chart shares: colours, type sizes, tick labels, units, legends.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The font family of every text: the reader's default sans-serif.
pub const FONT: &str = "sans-serif";
/// Type sizes (plotters' SVG backend writes `size / 1.24` pixels).
pub const TITLE_SIZE: f64 = 26.0;
pub const SUBTITLE_SIZE: f64 = 18.0;
pub const AXIS_DESC_SIZE: f64 = 19.0;
pub const LABEL_SIZE: f64 = 17.0;

/// Series colours: the Okabe–Ito palette, told apart by colour-blind readers
/// too (its yellow, too pale on white, left out).
pub const SERIES: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// The colour of the `index`th series (the palette repeats past its end).
pub fn series_color(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}

/// `color` at `strength` (0 to 1) over white, as an opaque colour.
pub fn tint(color: RGBColor, strength: f64) -> RGBColor {
    let blend = |channel: u8| (255.0 - (255.0 - f64::from(channel)) * strength).round() as u8;
    RGBColor(blend(color.0), blend(color.1), blend(color.2))
}

/// Grey for text that explains rather than labels.
pub const NOTE: RGBColor = RGBColor(80, 80, 80);

pub fn text_style(size: f64, color: RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FONT, size).into_font());
    style.color = color.to_backend_color();
    style
}

pub fn left_middle(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Left, VPos::Center))
}

/// A tick label: as few digits as the value needs (`10`, `0.25`), never
/// floating-point noise (`0.30000000000000004`).
pub fn tick_label(value: f64) -> String {
    if value.abs() < 1e-12 {
        return "0".to_string();
    }
    if value.abs() >= 1e6 || value.abs() < 1e-4 {
        return format!("{value:e}");
    }
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_string()
}

/// The unit of a measure, from its name, where known.
pub fn unit_of(measure: &str) -> Option<&'static str> {
    let share = measure.starts_with("p_")
        || measure.ends_with("_share")
        || matches!(measure, "service_level" | "utilization" | "occupancy");
    if share {
        Some("share")
    } else if measure.starts_with("wait_") || measure.starts_with("queue_time") {
        Some("minutes")
    } else if measure == "trips_per_taxi_hour" {
        Some("trips per taxi-hour")
    } else {
        None
    }
}

/// The axis title of a measure: its name and unit.
pub fn measure_label(measure: &str) -> String {
    match unit_of(measure) {
        Some(unit) => format!("{measure} ({unit})"),
        None => measure.to_string(),
    }
}

/// Approximate width in pixels of `text` at `size` (plotters' SVG backend
/// cannot measure text; the browser lays it out): enough to make room.
pub fn text_width(text: &str, size: f64) -> u32 {
    (text.chars().count() as f64 * size / 1.24 * 0.6).ceil() as u32
}

/// How a legend entry's key looks.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A line with a dot: a series of means.
    Line(RGBColor),
    /// A filled box: a state or a band.
    Fill(RGBColor),
}

/// Draws legend entries one per line from `(x, y)` (their top left corner);
/// returns the height used.
pub fn draw_legend_column<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    entries: &[(Swatch, String)],
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    const LINE: i32 = 26;
    for (index, (swatch, label)) in entries.iter().enumerate() {
        let middle = y + LINE / 2 + LINE * index as i32;
        draw_swatch(area, (x, middle), *swatch)?;
        area.draw(&Text::new(
            label.clone(),
            (x + 34, middle),
            left_middle(text_style(LABEL_SIZE, BLACK)),
        ))?;
    }
    Ok(LINE * entries.len() as i32)
}

/// Draws legend entries side by side on one line whose middle is `y`,
/// starting at `x`.
pub fn draw_legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    entries: &[(Swatch, String)],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut x = x;
    for (swatch, label) in entries {
        draw_swatch(area, (x, y), *swatch)?;
        area.draw(&Text::new(
            label.clone(),
            (x + 34, y),
            left_middle(text_style(LABEL_SIZE, BLACK)),
        ))?;
        x += 34 + text_width(label, LABEL_SIZE) as i32 + 30;
    }
    Ok(())
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, middle): (i32, i32),
    swatch: Swatch,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    match swatch {
        Swatch::Line(color) => {
            area.draw(&PathElement::new(
                vec![(x, middle), (x + 26, middle)],
                color.stroke_width(3),
            ))?;
            area.draw(&Circle::new((x + 13, middle), 4, color.filled()))?;
        }
        Swatch::Fill(color) => {
            area.draw(&Rectangle::new(
                [(x, middle - 8), (x + 26, middle + 8)],
                color.filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x, middle - 8), (x + 26, middle + 8)],
                RGBColor(120, 120, 120).stroke_width(1),
            ))?;
        }
    }
    Ok(())
}

/// A linear axis whose ticks are chosen here (the swept values, or round
/// numbers), not by plotters; no minor grid lines.
#[derive(Debug, Clone)]
pub struct TickedAxis {
    pub range: Range<f64>,
    pub ticks: Vec<f64>,
}

impl TickedAxis {
    pub fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        let ticks = ticks
            .into_iter()
            .filter(|tick| range.start <= *tick && *tick <= range.end)
            .collect();
        Self { range, ticks }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        if span <= 0.0 {
            return (limit.0 + limit.1) / 2;
        }
        let share = ((value - self.range.start) / span).clamp(-1.0, 2.0);
        limit.0 + (f64::from(limit.1 - limit.0) * share).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// Turns a drawing error into one naming the output.
pub fn drawing_error(error: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("could not draw the chart: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_have_no_floating_point_noise() {
        assert_eq!(tick_label(10.0), "10");
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(-2.5), "-2.5");
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(1.0e-13), "0");
        assert_eq!(tick_label(2.0e6), "2e6");
    }

    #[test]
    fn measures_get_their_units_from_their_names() {
        assert_eq!(measure_label("p_wait"), "p_wait (share)");
        assert_eq!(measure_label("wait_p90"), "wait_p90 (minutes)");
        assert_eq!(
            measure_label("queue_time_mean"),
            "queue_time_mean (minutes)"
        );
        assert_eq!(
            measure_label("mean_occupancy_share"),
            "mean_occupancy_share (share)"
        );
        assert_eq!(measure_label("requests"), "requests");
    }
}

#[cfg(test)]
mod bite_tests {
    use plotters::coord::ranged1d::{BoldPoints, LightPoints};

    use super::*;

    #[test]
    fn series_colours_follow_the_palette_and_start_again_past_its_end() {
        assert_eq!(series_color(0), RGBColor(0, 114, 178));
        assert_eq!(series_color(6), RGBColor(0, 0, 0));
        assert_eq!(series_color(7), RGBColor(0, 114, 178));
        assert_eq!(series_color(9), RGBColor(0, 158, 115));
    }

    #[test]
    fn a_tint_blends_a_colour_over_white() {
        assert_eq!(tint(RGBColor(213, 94, 0), 0.25), RGBColor(245, 215, 191));
        assert_eq!(tint(RGBColor(0, 100, 255), 1.0), RGBColor(0, 100, 255));
        assert_eq!(tint(RGBColor(0, 100, 255), 0.0), RGBColor(255, 255, 255));
    }

    #[test]
    fn tick_labels_switch_to_exponents_only_at_their_edges() {
        assert_eq!(tick_label(1.0e-12), "1e-12");
        assert_eq!(tick_label(-1.0e-13), "0");
        assert_eq!(tick_label(999_999.0), "999999");
        assert_eq!(tick_label(1.0e6), "1e6");
        assert_eq!(tick_label(-1.0e6), "-1e6");
        assert_eq!(tick_label(1.0e-4), "0.0001");
        assert_eq!(tick_label(5.0e-5), "5e-5");
        assert_eq!(tick_label(0.5), "0.5");
    }

    #[test]
    fn every_share_and_time_measure_is_told_by_its_name() {
        for share in [
            "p_x",
            "x_share",
            "service_level",
            "utilization",
            "occupancy",
        ] {
            assert_eq!(unit_of(share), Some("share"), "{share}");
        }
        assert_eq!(unit_of("wait_mean"), Some("minutes"));
        assert_eq!(unit_of("queue_time"), Some("minutes"));
        assert_eq!(
            measure_label("trips_per_taxi_hour"),
            "trips_per_taxi_hour (trips per taxi-hour)"
        );
        assert_eq!(unit_of("trips_per_taxi"), None);
        assert_eq!(unit_of("occupancy_p90"), None);
    }

    #[test]
    fn text_width_is_six_tenths_of_the_drawn_size_a_letter() {
        // The drawn size is size / 1.24.
        assert_eq!(text_width("10", 17.0), 17); // 16.45
        assert_eq!(text_width("rng = a", 17.0), 58); // 57.58
        assert_eq!(text_width("abcd", 26.0), 51); // 50.32
        assert_eq!(text_width("", 26.0), 0);
    }

    #[test]
    fn an_axis_maps_its_range_linearly_onto_the_pixels_and_keeps_its_ticks() {
        let axis = TickedAxis::new(2.0..12.0, vec![0.0, 2.0, 7.0, 12.0, 13.0]);
        assert_eq!(axis.ticks, [2.0, 7.0, 12.0], "ticks inside the range");
        assert_eq!(axis.range(), 2.0..12.0);
        assert_eq!(axis.map(&4.5, (100, 300)), 150);
        assert_eq!(axis.map(&4.5, (300, 100)), 250, "upwards");
        assert_eq!(axis.map(&2.0, (100, 300)), 100);
        assert_eq!(axis.map(&12.0, (100, 300)), 300);
        // Far outside: held at a range's length beyond either end.
        assert_eq!(axis.map(&-100.0, (100, 300)), -100);
        assert_eq!(axis.map(&100.0, (100, 300)), 500);
        let flat = TickedAxis::new(5.0..5.0, vec![5.0]);
        assert_eq!(flat.map(&5.0, (100, 300)), 200, "no span: the middle");
        assert_eq!(axis.key_points(BoldPoints(10)), [2.0, 7.0, 12.0]);
        assert!(axis.key_points(LightPoints::new(10, 50)).is_empty());
    }

    /// Each element named `tag`, as its attributes `names`.
    fn shapes(svg: &str, tag: &str, names: &[&str]) -> Vec<Vec<String>> {
        let svg = roxmltree::Document::parse(svg).unwrap();
        svg.descendants()
            .filter(|node| node.has_tag_name(tag))
            .map(|node| {
                names
                    .iter()
                    .map(|name| node.attribute(*name).unwrap_or("").to_string())
                    .collect()
            })
            .collect()
    }

    fn texts(svg: &str) -> Vec<Vec<String>> {
        let document = roxmltree::Document::parse(svg).unwrap();
        document
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                vec![
                    node.text().unwrap_or("").trim().to_string(),
                    node.attribute("x").unwrap().to_string(),
                    node.attribute("y").unwrap().to_string(),
                ]
            })
            .collect()
    }

    fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|each| each.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_legend_column_stacks_its_entries_26_pixels_apart() {
        let entries = [
            (Swatch::Line(RGBColor(0, 114, 178)), "one".to_string()),
            (Swatch::Fill(RGBColor(213, 94, 0)), "two".to_string()),
        ];
        let mut svg = String::new();
        let height = {
            let root = SVGBackend::with_string(&mut svg, (300, 200)).into_drawing_area();
            let height = draw_legend_column(&root, (10, 20), &entries).unwrap();
            root.present().unwrap();
            height
        };
        assert_eq!(height, 52);
        // Middles at 20 + 13 and 20 + 13 + 26; labels 34 right of the key.
        assert_eq!(
            texts(&svg),
            strings(&[&["one", "44", "33"], &["two", "44", "59"]])
        );
        assert_eq!(
            shapes(&svg, "polyline", &["points", "stroke"]),
            strings(&[&["10,33 36,33 ", "#0072B2"]])
        );
        assert_eq!(
            shapes(&svg, "circle", &["cx", "cy", "r"]),
            strings(&[&["23", "33", "4"]])
        );
        assert_eq!(
            shapes(
                &svg,
                "rect",
                &["x", "y", "width", "height", "fill", "stroke"]
            ),
            strings(&[
                &["10", "51", "26", "16", "#D55E00", "none"],
                &["10", "51", "26", "16", "none", "#787878"],
            ])
        );
    }

    #[test]
    fn a_legend_row_sets_each_entry_after_the_last_label() {
        let entries = [
            (Swatch::Fill(RGBColor(230, 159, 0)), "prowling".to_string()),
            (Swatch::Line(RGBColor(0, 114, 178)), "abcd".to_string()),
        ];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (400, 200)).into_drawing_area();
            draw_legend_row(&root, (20, 98), &entries).unwrap();
            root.present().unwrap();
        }
        // "prowling" is 8 letters at 17: 66 px; then 30 of air.
        let second = 20 + 34 + 66 + 30;
        assert_eq!(
            texts(&svg),
            strings(&[
                &["prowling", "54", "98"],
                &["abcd", &(second + 34).to_string(), "98"]
            ])
        );
        assert_eq!(
            shapes(&svg, "rect", &["x", "y", "fill"])[..1],
            strings(&[&["20", "90", "#E69F00"]])
        );
        assert_eq!(
            shapes(&svg, "polyline", &["points"]),
            strings(&[&[&format!("{second},98 {},98 ", second + 26)]])
        );
    }
}
