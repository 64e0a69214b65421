//! The timeline of an event log: one row per taxi, coloured by its state over
//! time, and for the dispatch model the number of passengers waiting.
//!
//! The time axis is cut into as many slices as the picture has pixels
//! across; each row keeps, per slice, how long the taxi spent in each state,
//! and is drawn in the state it held longest. Memory and the SVG's size thus
//! follow the picture, not the log: a long run does not make a heavier chart.
//! A fleet larger than `--max-taxis` is sampled evenly by id.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

use super::log::{self, Action, LogEvent, LogScan};
use super::style::{self, Swatch, TickedAxis};
use super::sweep::nice_ticks;

/// What a taxi is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    OffDuty,
    Prowling,
    Occupied,
    Idle,
}

/// The states in legend order, with their names and colours.
const STATES: [(State, &str, RGBColor); 4] = [
    (State::Prowling, "prowling", RGBColor(230, 159, 0)),
    (State::Occupied, "occupied", RGBColor(0, 114, 178)),
    (State::Idle, "idle", RGBColor(0, 158, 115)),
    (State::OffDuty, "off duty", RGBColor(221, 221, 221)),
];

impl State {
    fn index(self) -> usize {
        STATES
            .iter()
            .position(|(state, _, _)| *state == self)
            .expect("every state is listed")
    }
}

/// Time slices across the chart.
const SLICES: usize = 1100;
const WIDTH: u32 = 1300;

/// Which taxis get a row: all of a small fleet, else `rows` evenly spaced ids.
#[derive(Debug, Clone, Copy)]
struct Sample {
    fleet: u64,
    rows: usize,
}

impl Sample {
    fn new(fleet: u64, max_rows: usize) -> Self {
        Self {
            fleet,
            rows: fleet.min(max_rows as u64) as usize,
        }
    }

    fn is_partial(&self) -> bool {
        (self.rows as u64) < self.fleet
    }

    fn taxi(&self, row: usize) -> u64 {
        (row as u128 * u128::from(self.fleet) / self.rows as u128) as u64
    }

    fn row(&self, taxi: u64) -> Option<usize> {
        if taxi >= self.fleet {
            return None;
        }
        let row = (u128::from(taxi) * self.rows as u128).div_ceil(u128::from(self.fleet)) as usize;
        (row < self.rows && self.taxi(row) == taxi).then_some(row)
    }
}

/// Calls `add(slice, overlap)` for every slice that `[start, end)` overlaps.
fn spread(slice_width: f64, start: f64, end: f64, mut add: impl FnMut(usize, f64)) {
    if end <= start {
        return;
    }
    let first = ((start / slice_width) as usize).min(SLICES - 1);
    let last = ((end / slice_width) as usize).min(SLICES - 1);
    for slice in first..=last {
        let slice_start = slice as f64 * slice_width;
        let overlap = end.min(slice_start + slice_width) - start.max(slice_start);
        if overlap > 0.0 {
            add(slice, overlap);
        }
    }
}

/// The number of passengers waiting, per slice.
#[derive(Debug, Clone)]
struct Waiting {
    now: u64,
    since: f64,
    weighted: Vec<f64>,
    low: Vec<u64>,
    high: Vec<u64>,
}

impl Waiting {
    fn new() -> Self {
        Self {
            now: 0,
            since: 0.0,
            weighted: vec![0.0; SLICES],
            low: vec![u64::MAX; SLICES],
            high: vec![0; SLICES],
        }
    }

    fn hold_until(&mut self, slice_width: f64, time: f64) {
        let now = self.now;
        spread(slice_width, self.since, time, |slice, overlap| {
            self.weighted[slice] += now as f64 * overlap;
            self.low[slice] = self.low[slice].min(now);
            self.high[slice] = self.high[slice].max(now);
        });
        self.since = time;
    }
}

/// The timeline being gathered from the events.
struct Timeline {
    sample: Sample,
    slice_width: f64,
    minutes_per_tick: f64,
    /// What a taxi on duty without a passenger is doing in this model.
    free: State,
    /// Per row: its state and since when.
    current: Vec<(State, f64)>,
    /// Per row and slice: minutes spent in each state.
    minutes: Vec<[f64; 4]>,
    waiting: Option<Waiting>,
}

impl Timeline {
    fn new(sample: Sample, span: f64, dispatch: bool, minutes_per_tick: f64) -> Self {
        Self {
            sample,
            slice_width: span / SLICES as f64,
            minutes_per_tick,
            free: if dispatch {
                State::Idle
            } else {
                State::Prowling
            },
            current: vec![(State::OffDuty, 0.0); sample.rows],
            minutes: vec![[0.0; 4]; sample.rows * SLICES],
            waiting: dispatch.then(Waiting::new),
        }
    }

    fn set_state(&mut self, row: usize, state: State, time: f64) {
        let (old, since) = self.current[row];
        let cells = &mut self.minutes[row * SLICES..(row + 1) * SLICES];
        spread(self.slice_width, since, time, |slice, overlap| {
            cells[slice][old.index()] += overlap;
        });
        self.current[row] = (state, time);
    }

    fn record(&mut self, event: &LogEvent) {
        let time = event.time * self.minutes_per_tick;
        if let Some(waiting) = &mut self.waiting {
            let change = match event.action {
                Action::Request => Some(true),
                Action::PickUpPassenger | Action::Abandon => Some(false),
                _ => None,
            };
            if let Some(up) = change {
                waiting.hold_until(self.slice_width, time);
                waiting.now = if up {
                    waiting.now + 1
                } else {
                    waiting.now.saturating_sub(1)
                };
            }
        }
        let Some(row) = event.taxi.and_then(|taxi| self.sample.row(taxi)) else {
            return;
        };
        let state = match event.action {
            Action::LeaveGarage | Action::DropOffPassenger => self.free,
            Action::PickUpPassenger => State::Occupied,
            Action::GoingHome => State::OffDuty,
            Action::Request | Action::Abandon => return,
        };
        self.set_state(row, state, time);
    }

    /// Closes every open interval at the end of the chart.
    fn finish(&mut self, end: f64) {
        for row in 0..self.sample.rows {
            let (state, _) = self.current[row];
            self.set_state(row, state, end);
        }
        if let Some(waiting) = &mut self.waiting {
            waiting.hold_until(self.slice_width, end);
        }
    }

    /// Per row, the runs of slices of one state: (first slice, past the
    /// last, state).
    fn runs(&self, row: usize) -> Vec<(usize, usize, State)> {
        let mut runs: Vec<(usize, usize, State)> = Vec::new();
        for slice in 0..SLICES {
            let cell = &self.minutes[row * SLICES + slice];
            let longest = (0..4)
                .max_by(|a, b| cell[*a].total_cmp(&cell[*b]).then(b.cmp(a)))
                .expect("four states");
            let state = STATES[longest].0;
            match runs.last_mut() {
                Some(run) if run.2 == state => run.1 = slice + 1,
                _ => runs.push((slice, slice + 1, state)),
            }
        }
        runs
    }

    /// Whether any row spends time in `state`.
    fn shows(&self, state: State) -> bool {
        self.minutes.iter().any(|cell| cell[state.index()] > 0.0)
    }
}

/// Reads the log again and draws its timeline; `None` if interrupted.
pub(super) fn draw(path: &Path, scan: &LogScan, max_rows: usize) -> anyhow::Result<Option<String>> {
    let number = |key: &str| scan.scenario_field(key).and_then(Value::as_f64);
    let dispatch = scan.is_dispatch();
    // The book's times are ticks; the dispatch model's are minutes.
    let minutes_per_tick = if dispatch {
        1.0
    } else {
        number("minutes_per_tick")
            .filter(|minutes| *minutes > 0.0)
            .unwrap_or(1.0)
    };
    let declared_fleet = scan
        .scenario_field("fleet")
        .and_then(|fleet| fleet.get("taxis"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let fleet = declared_fleet.max(scan.max_taxi.map_or(0, |max| max + 1));
    let end_time = number("end_time").unwrap_or(0.0).max(scan.last_time) * minutes_per_tick;
    let span = if end_time > 0.0 { end_time } else { 1.0 };
    let sample = Sample::new(fleet, max_rows);

    let mut timeline = Timeline::new(sample, span, dispatch, minutes_per_tick);
    if !log::for_each_event(path, scan, &mut |event| timeline.record(event))? {
        return Ok(None);
    }
    timeline.finish(span);

    let name = scan
        .scenario_field("name")
        .and_then(Value::as_str)
        .unwrap_or("run")
        .to_string();
    let titles = Titles {
        title: format!(
            "Taxis of '{name}' over time ({} model)",
            if dispatch { "dispatch" } else { "book" }
        ),
        subtitle: if sample.is_partial() {
            format!(
                "{} of {fleet} taxis shown, sampled evenly by id; {}",
                sample.rows,
                crate::stdio::counted(scan.events, "event")
            )
        } else {
            format!(
                "all {}; {}",
                crate::stdio::counted(fleet, "taxi"),
                crate::stdio::counted(scan.events, "event")
            )
        },
    };
    render(&timeline, &titles, span).map(Some)
}

struct Titles {
    title: String,
    subtitle: String,
}

const HEADER_HEIGHT: u32 = 120;
const WAITING_HEIGHT: u32 = 330;

fn render(timeline: &Timeline, titles: &Titles, span: f64) -> anyhow::Result<String> {
    let rows = timeline.sample.rows.max(1);
    let row_height = (560 / rows as u32).clamp(9, 34);
    let rows_height = row_height * rows as u32 + 90;
    let waiting_height = if timeline.waiting.is_some() {
        WAITING_HEIGHT
    } else {
        0
    };
    let height = HEADER_HEIGHT + rows_height + waiting_height;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(style::drawing_error)?;
        draw_header(&root, timeline, titles).map_err(style::drawing_error)?;
        let body = root.margin(HEADER_HEIGHT, 0, 0, 0);
        let (rows_area, waiting_area) = body.split_vertically(rows_height);
        draw_rows(&rows_area, timeline, span, row_height).map_err(style::drawing_error)?;
        if let Some(waiting) = &timeline.waiting {
            draw_waiting(&waiting_area, waiting, timeline.slice_width, span)
                .map_err(style::drawing_error)?;
        }
        root.present().map_err(style::drawing_error)?;
    }
    Ok(svg)
}

fn draw_header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
    titles: &Titles,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.draw(&Text::new(
        titles.title.clone(),
        (20, 28),
        style::left_middle(style::text_style(style::TITLE_SIZE, BLACK)),
    ))?;
    root.draw(&Text::new(
        titles.subtitle.clone(),
        (20, 60),
        style::left_middle(style::text_style(style::SUBTITLE_SIZE, style::NOTE)),
    ))?;
    let entries: Vec<(Swatch, String)> = STATES
        .iter()
        .filter(|(state, _, _)| timeline.shows(*state))
        .map(|(_, name, color)| (Swatch::Fill(*color), name.to_string()))
        .collect();
    style::draw_legend_row(root, (20, 98), &entries)
}

/// The left margin of both panels, so their time axes line up.
const Y_LABEL_AREA: u32 = 100;

fn draw_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    timeline: &Timeline,
    span: f64,
    row_height: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let rows = timeline.sample.rows;
    // Row r (taxis in id order from the top) spans y from rows-1-r to rows-r.
    let every = (22 / row_height as usize).max(1);
    let labelled: Vec<f64> = (0..rows)
        .step_by(every)
        .map(|row| (rows - 1 - row) as f64 + 0.5)
        .collect();
    let sample = timeline.sample;
    let taxi_label = move |y: &f64| {
        let from_top = rows as f64 - y.ceil();
        sample.taxi(from_top.max(0.0) as usize).to_string()
    };
    let mut chart = time_chart(
        area,
        span,
        TickedAxis::new(0.0..rows.max(1) as f64, labelled),
        8,
        ("taxi", &taxi_label),
    )?;
    // The rows' rectangles cover the grid: it shows only in the gaps.
    let gap = u32::from(row_height >= 8);
    for row in 0..rows {
        let bottom = (rows - 1 - row) as f64;
        let rectangles = timeline.runs(row).into_iter().map(|(first, past, state)| {
            let color = STATES[state.index()].2;
            let mut rectangle = Rectangle::new(
                [
                    (first as f64 * timeline.slice_width, bottom + 1.0),
                    (past as f64 * timeline.slice_width, bottom),
                ],
                color.filled(),
            );
            rectangle.set_margin(gap, gap, 0, 0);
            rectangle
        });
        chart.draw_series(rectangles)?;
    }
    Ok(())
}

/// A chart over the run's time span with its axes drawn, `margin_top`
/// below its area's top, the y axis described and labelled by `y`.
#[allow(clippy::type_complexity)] // plotters' own chart type, spelt out once
fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    span: f64,
    y_axis: TickedAxis,
    margin_top: u32,
    (y_desc, y_label): (&str, &dyn Fn(&f64) -> String),
) -> Result<
    ChartContext<'a, DB, Cartesian2d<TickedAxis, TickedAxis>>,
    DrawingAreaErrorKind<DB::ErrorType>,
> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(margin_top)
        .margin_right(36)
        .margin_left(8)
        .x_label_area_size(62)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(
            TickedAxis::new(0.0..span, nice_ticks(0.0, span, 10)),
            y_axis,
        )?;
    let tick = |value: &f64| style::tick_label(*value);
    chart
        .configure_mesh()
        .x_desc("time (minutes)")
        .y_desc(y_desc)
        .axis_desc_style(style::text_style(style::AXIS_DESC_SIZE, BLACK))
        .label_style(style::text_style(style::LABEL_SIZE, BLACK))
        .x_label_formatter(&tick)
        .y_label_formatter(y_label)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()?;
    Ok(chart)
}

fn draw_waiting<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    waiting: &Waiting,
    slice_width: f64,
    span: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let highest = waiting.high.iter().copied().max().unwrap_or(0);
    let top = (highest.max(1) as f64 * 1.12).max(1.0);
    let ticks: Vec<f64> = nice_ticks(0.0, top, 5)
        .into_iter()
        .filter(|tick| tick.fract() == 0.0)
        .collect();
    let tick = |value: &f64| style::tick_label(*value);
    let mut chart = time_chart(
        area,
        span,
        TickedAxis::new(0.0..top, ticks),
        64,
        ("passengers waiting", &tick),
    )?;
    let centre = |slice: usize| (slice as f64 + 0.5) * slice_width;
    let band_color = RGBColor(213, 94, 0);
    let spread_out = (0..SLICES).any(|slice| waiting.low[slice] != waiting.high[slice]);
    if spread_out {
        let outline: Vec<(f64, f64)> = (0..SLICES)
            .map(|slice| (centre(slice), waiting.high[slice] as f64))
            .chain(
                (0..SLICES)
                    .rev()
                    .map(|slice| (centre(slice), waiting.low[slice] as f64)),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            style::tint(band_color, 0.25).filled(),
        )))?;
    }
    chart.draw_series(LineSeries::new(
        (0..SLICES).map(|slice| (centre(slice), waiting.weighted[slice] / slice_width)),
        band_color.stroke_width(2),
    ))?;
    let mut entries = vec![(
        Swatch::Line(band_color),
        "passengers waiting (time-weighted mean per slice)".to_string(),
    )];
    if spread_out {
        entries.push((
            Swatch::Fill(style::tint(band_color, 0.25)),
            "lowest to highest".to_string(),
        ));
    }
    style::draw_legend_row(area, (Y_LABEL_AREA as i32 + 10, 32), &entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_fleet_is_sampled_evenly_and_every_row_finds_its_taxi() {
        let sample = Sample::new(10_000, 40);
        assert!(sample.is_partial());
        assert_eq!(sample.taxi(0), 0);
        assert_eq!(sample.taxi(1), 250);
        assert_eq!(sample.taxi(39), 9750);
        for row in 0..40 {
            assert_eq!(sample.row(sample.taxi(row)), Some(row));
        }
        assert_eq!(sample.row(251), None);
        let uneven = Sample::new(7, 3);
        let taxis: Vec<u64> = (0..3).map(|row| uneven.taxi(row)).collect();
        assert_eq!(taxis, [0, 2, 4]);
        assert_eq!(
            (0..7)
                .filter_map(|taxi| uneven.row(taxi))
                .collect::<Vec<_>>(),
            [0, 1, 2]
        );
        let small = Sample::new(3, 40);
        assert!(!small.is_partial());
        assert_eq!(
            (0..3).map(|taxi| small.row(taxi)).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn time_is_spread_over_the_slices_it_overlaps() {
        let mut seen = Vec::new();
        spread(2.0, 1.0, 5.0, |slice, overlap| seen.push((slice, overlap)));
        assert_eq!(seen, [(0, 1.0), (1, 2.0), (2, 1.0)]);
    }
}
