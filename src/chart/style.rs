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
