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
    let last = ((end / slice_width) as usize).min(SLICES - 1);
    // `start < end`, so `start`'s slice is at most `end`'s.
    let first = ((start / slice_width) as usize).min(last);
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

#[cfg(test)]
mod bite_tests {
    use std::path::PathBuf;

    use super::*;

    fn event(time: f64, taxi: Option<u64>, action: Action) -> LogEvent {
        LogEvent {
            time,
            taxi,
            passenger: None,
            action,
        }
    }

    /// Minutes a row spent in each state, over every slice.
    fn totals(timeline: &Timeline, row: usize) -> [f64; 4] {
        let mut totals = [0.0; 4];
        for cell in &timeline.minutes[row * SLICES..(row + 1) * SLICES] {
            for (total, minutes) in totals.iter_mut().zip(cell) {
                *total += minutes;
            }
        }
        totals
    }

    fn assert_totals(actual: [f64; 4], expected: [f64; 4], what: &str) {
        for (a, e) in actual.iter().zip(expected) {
            assert!(
                (a - e).abs() < 1e-9,
                "{what}: {actual:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn each_taxi_row_gathers_the_minutes_of_each_state_and_its_runs() {
        // Ticks of 2 minutes; 10 minutes drawn.
        let mut timeline = Timeline::new(Sample::new(2, 40), 10.0, false, 2.0);
        for event in [
            event(0.5, Some(0), Action::LeaveGarage),
            event(1.0, Some(0), Action::PickUpPassenger),
            event(2.0, Some(0), Action::DropOffPassenger),
            event(2.25, Some(1), Action::LeaveGarage),
            event(3.0, Some(0), Action::GoingHome),
            event(4.0, Some(5), Action::GoingHome),
        ] {
            timeline.record(&event);
        }
        timeline.finish(10.0);
        // In legend order: prowling, occupied, idle, off duty.
        assert_totals(totals(&timeline, 0), [3.0, 2.0, 0.0, 5.0], "taxi 0");
        assert_totals(totals(&timeline, 1), [5.5, 0.0, 0.0, 4.5], "taxi 1");
        assert_eq!(
            timeline.runs(0),
            [
                (0, 110, State::OffDuty),
                (110, 220, State::Prowling),
                (220, 440, State::Occupied),
                (440, 660, State::Prowling),
                (660, SLICES, State::OffDuty),
            ]
        );
        assert!(timeline.shows(State::Occupied) && !timeline.shows(State::Idle));
        assert!(timeline.waiting.is_none(), "the book has no passengers");
    }

    #[test]
    fn a_span_whose_slices_add_up_to_less_than_it_still_ends_in_the_last_slice() {
        // 1100 slices of 35 / 1100 minutes end a little before 35.
        assert!(SLICES as f64 * (35.0 / SLICES as f64) < 35.0);
        let mut timeline = Timeline::new(Sample::new(1, 40), 35.0, true, 1.0);
        timeline.record(&event(0.0, Some(0), Action::LeaveGarage));
        timeline.finish(35.0);
        assert_totals(totals(&timeline, 0), [0.0, 0.0, 35.0, 0.0], "taxi 0");
        assert_eq!(timeline.runs(0), [(0, SLICES, State::Idle)]);
    }

    #[test]
    fn a_count_that_changes_on_a_slice_boundary_belongs_to_the_slice_after_it() {
        // Slices of one minute: 1 waiting over exactly slices 100 to 199.
        let mut timeline = Timeline::new(Sample::new(1, 40), SLICES as f64, true, 1.0);
        let rider = |time, action| LogEvent {
            time,
            taxi: None,
            passenger: Some(0),
            action,
        };
        timeline.record(&rider(100.0, Action::Request));
        timeline.record(&rider(200.0, Action::Abandon));
        timeline.finish(SLICES as f64);
        let waiting = timeline.waiting.as_ref().unwrap();
        let slices = |range: std::ops::Range<usize>| -> Vec<(u64, u64)> {
            range
                .map(|slice| (waiting.low[slice], waiting.high[slice]))
                .collect()
        };
        assert_eq!(slices(99..101), [(0, 0), (1, 1)]);
        assert_eq!(slices(199..201), [(1, 1), (0, 0)]);
    }

    #[test]
    fn a_state_held_for_one_slice_is_a_run_of_one_slice() {
        // Slices of one minute: prowling over exactly slice 100.
        let mut timeline = Timeline::new(Sample::new(1, 40), SLICES as f64, false, 1.0);
        timeline.record(&event(100.0, Some(0), Action::LeaveGarage));
        timeline.record(&event(101.0, Some(0), Action::PickUpPassenger));
        timeline.finish(SLICES as f64);
        assert_eq!(
            timeline.runs(0),
            [
                (0, 100, State::OffDuty),
                (100, 101, State::Prowling),
                (101, SLICES, State::Occupied),
            ]
        );
    }

    #[test]
    fn a_sampled_fleet_gathers_only_the_rows_of_its_sample() {
        let mut timeline = Timeline::new(Sample::new(10, 2), 10.0, true, 1.0);
        timeline.record(&event(1.0, Some(3), Action::LeaveGarage));
        timeline.record(&event(2.0, Some(5), Action::LeaveGarage));
        timeline.finish(10.0);
        assert_totals(totals(&timeline, 0), [0.0, 0.0, 0.0, 10.0], "taxi 0");
        assert_totals(totals(&timeline, 1), [0.0, 0.0, 8.0, 2.0], "taxi 5");
    }

    #[test]
    fn the_passengers_waiting_are_counted_per_slice_lowest_highest_and_weighted() {
        let mut timeline = Timeline::new(Sample::new(1, 40), 11.0, true, 1.0);
        let rider = |time, action| LogEvent {
            time,
            taxi: None,
            passenger: Some(0),
            action,
        };
        // Slices of 0.01 minutes: 1 waiting from 1.005 to 3.005, 2 to
        // 6.005, 1 to 8.005, none after (an abandon too many changes nothing).
        for event in [
            rider(1.005, Action::Request),
            rider(3.005, Action::Request),
            event(6.005, Some(0), Action::PickUpPassenger),
            rider(8.005, Action::Abandon),
            rider(9.0, Action::Abandon),
        ] {
            timeline.record(&event);
        }
        timeline.finish(11.0);
        let waiting = timeline.waiting.as_ref().unwrap();
        let area: f64 = waiting.weighted.iter().sum();
        assert!((area - (2.0 + 2.0 * 3.0 + 2.0)).abs() < 1e-9, "{area}");
        assert_eq!((waiting.low[100], waiting.high[100]), (0, 1));
        assert_eq!((waiting.low[200], waiting.high[200]), (1, 1));
        assert_eq!((waiting.low[450], waiting.high[450]), (2, 2));
        assert_eq!((waiting.low[1000], waiting.high[1000]), (0, 0));
        assert!((waiting.weighted[450] / timeline.slice_width - 2.0).abs() < 1e-9);
        assert_totals(
            totals(&timeline, 0),
            [0.0, 11.0 - 6.005, 0.0, 6.005],
            "taxi 0",
        );
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The timeline of a log (a JSON document) as SVG.
    fn chart_of(
        dir: &tempfile::TempDir,
        log: &str,
        max_rows: usize,
    ) -> roxmltree::Document<'static> {
        let path = write(dir, "log.json", log);
        let log::Scanned::Log(scan) = log::scan(&path).unwrap() else {
            panic!("not a log");
        };
        let svg = draw(&path, &scan, max_rows).unwrap().unwrap();
        roxmltree::Document::parse(Box::leak(svg.into_boxed_str())).unwrap()
    }

    use super::super::svg_probe::{size, texts};

    fn has_text(svg: &roxmltree::Document, text: &str) -> bool {
        texts(svg).iter().any(|each| each.0 == text)
    }

    /// The x tick labels (centred, below the rows).
    fn x_ticks(svg: &roxmltree::Document) -> Vec<String> {
        texts(svg)
            .into_iter()
            .filter(|text| {
                text.3 == "middle" && text.2 > 120 && text.0 != "taxi" && !text.0.contains(' ')
            })
            .map(|text| text.0)
            .collect()
    }

    /// The rows' rectangles, (x, y, width, height, fill), top to bottom.
    fn rectangles(svg: &roxmltree::Document) -> Vec<(i32, i32, i32, i32, String)> {
        let mut rectangles: Vec<_> = svg
            .descendants()
            .filter(|node| node.has_tag_name("rect"))
            .filter(|node| node.attribute("stroke") == Some("none"))
            .filter(|node| {
                STATES
                    .iter()
                    .any(|(_, _, color)| node.attribute("fill") == Some(&hex(*color)))
            })
            .map(|node| {
                let number = |name| node.attribute(name).unwrap().parse().unwrap();
                (
                    number("x"),
                    number("y"),
                    number("width"),
                    number("height"),
                    node.attribute("fill").unwrap().to_string(),
                )
            })
            .filter(|rectangle| rectangle.1 > 120)
            .collect();
        rectangles.sort_by_key(|rectangle| (rectangle.1, rectangle.0));
        rectangles
    }

    fn hex(color: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
    }

    const BOOK: &str = r##"{"schema_version":1,
        "scenario":{"name":"two","minutes_per_tick":2,"end_time":5},
        "events":[{"time":0,"taxi":0,"action":"leave_garage"},
                  {"time":1,"taxi":0,"action":"pick_up_passenger"},
                  {"time":2,"taxi":0,"action":"drop_off_passenger"},
                  {"time":3,"taxi":1,"action":"leave_garage"}]}"##;

    #[test]
    fn a_book_timeline_is_drawn_in_minutes_with_a_row_per_taxi() {
        let dir = tempfile::tempdir().unwrap();
        let svg = chart_of(&dir, BOOK, 40);
        assert!(has_text(&svg, "Taxis of 'two' over time (book model)"));
        assert!(has_text(&svg, "all 2 taxis; 4 events"));
        // Two rows of 34 px, 90 for the axis, below a header of 120.
        assert_eq!(size(&svg), (1300, 120 + 2 * 34 + 90));
        // 5 ticks of 2 minutes: 10 minutes.
        assert_eq!(
            x_ticks(&svg),
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
        );
        let rows = rectangles(&svg);
        let (left, right) = (rows[0].0, rows[2].0 + rows[2].2);
        let at = |minutes: f64| left + (f64::from(right - left) * minutes / 10.0).round() as i32;
        let (prowling, occupied) = ("#E69F00", "#0072B2");
        // Taxi 0 on the top row: prowling 0 to 2, occupied to 4, prowling on.
        let top: Vec<_> = rows.iter().filter(|row| row.1 == rows[0].1).collect();
        assert_eq!(top.len(), 3, "{rows:?}");
        assert_eq!((top[0].4.as_str(), top[1].4.as_str()), (prowling, occupied));
        assert!((top[1].0 - at(2.0)).abs() <= 1, "{rows:?}");
        assert!((top[2].0 - at(4.0)).abs() <= 1, "{rows:?}");
        // Taxi 1 below: off duty until 6, 1 px of gap between the rows.
        let bottom: Vec<_> = rows.iter().filter(|row| row.1 != rows[0].1).collect();
        assert_eq!(bottom[0].4, "#DDDDDD");
        assert!((bottom[1].0 - at(6.0)).abs() <= 1, "{rows:?}");
        assert!(bottom[0].1 > top[0].1 + top[0].3, "{rows:?}");
        // The taxis' labels, beside their rows.
        for (label, row) in [("0", top[0]), ("1", bottom[0])] {
            let text = texts(&svg)
                .into_iter()
                .find(|text| text.0 == label && text.3 == "end")
                .unwrap();
            assert!(
                text.2 > row.1 && text.2 < row.1 + row.3,
                "{label}: {text:?} {row:?}"
            );
        }
        // The legend: only the states shown.
        assert!(texts(&svg).contains(&("prowling".into(), 54, 98, "start".into())));
        assert!(has_text(&svg, "off duty") && !has_text(&svg, "idle"));
        assert!(!has_text(&svg, "passengers waiting"));
    }

    #[test]
    fn a_book_time_of_no_length_or_of_0_minutes_a_tick_is_drawn_anyway() {
        let dir = tempfile::tempdir().unwrap();
        // Ticks of 0 minutes are taken as 1.
        let svg = chart_of(
            &dir,
            &BOOK.replace("\"minutes_per_tick\":2", "\"minutes_per_tick\":0"),
            40,
        );
        assert_eq!(
            x_ticks(&svg),
            [
                "0", "0.5", "1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5"
            ]
        );
        // Every event at 0 and no end time: one minute.
        let instant = r#"{"schema_version":1,"scenario":{"fleet":{"taxis":3}},
            "events":[{"time":0,"taxi":0,"action":"leave_garage"}]}"#;
        let svg = chart_of(&dir, instant, 40);
        assert_eq!(x_ticks(&svg)[..3], ["0", "0.1", "0.2"]);
        assert!(has_text(&svg, "all 3 taxis; 1 event"), "the declared fleet");
        assert!(has_text(&svg, "Taxis of 'run' over time (book model)"));
    }

    #[test]
    fn a_fleet_of_twenty_gets_rows_of_28_pixels_each_labelled() {
        let dir = tempfile::tempdir().unwrap();
        let log = r#"{"schema_version":1,
            "events":[{"time":0,"taxi":19,"action":"leave_garage"},{"time":9,"taxi":3,"action":"leave_garage"}]}"#;
        let svg = chart_of(&dir, log, 40);
        assert_eq!(size(&svg), (1300, 120 + 20 * 28 + 90));
        let labels: Vec<String> = texts(&svg)
            .into_iter()
            .filter(|text| text.3 == "end")
            .map(|text| text.0)
            .collect();
        let expected: Vec<String> = (0..20).map(|taxi| taxi.to_string()).collect();
        assert_eq!(labels, expected);
        let svg = chart_of(&dir, log, 4);
        assert!(has_text(
            &svg,
            "4 of 20 taxis shown, sampled evenly by id; 2 events"
        ));
        assert_eq!(size(&svg), (1300, 120 + 4 * 34 + 90));
    }

    #[test]
    fn the_passengers_waiting_panel_draws_the_count_on_its_own_axis() {
        let dir = tempfile::tempdir().unwrap();
        let log = r#"{"schema_version":2,"scenario":{"name":"stand","end_time":11},
            "events":[{"time":1.005,"passenger":0,"action":"request"},
                      {"time":3.005,"passenger":1,"action":"request"},
                      {"time":6.005,"taxi":0,"passenger":0,"action":"pick_up_passenger"},
                      {"time":8.005,"passenger":1,"action":"abandon"}]}"#;
        let svg = chart_of(&dir, log, 40);
        assert!(has_text(
            &svg,
            "Taxis of 'stand' over time (dispatch model)"
        ));
        assert_eq!(size(&svg), (1300, 120 + 34 + 90 + 330));
        let below_rows = 120 + 34 + 90;
        // Whole passengers only, up to 2 (the axis reaches 2.24).
        let counts: Vec<(String, i32)> = texts(&svg)
            .into_iter()
            .filter(|text| text.3 == "end" && text.2 > below_rows)
            .map(|text| (text.0, text.2))
            .collect();
        let labels: Vec<&str> = counts.iter().map(|count| count.0.as_str()).collect();
        assert_eq!(labels, ["0", "1", "2"]);
        // The line: 2 waiting at 4.5 minutes, none at 10, and it spans the axis.
        let line: Vec<(i32, i32)> = svg
            .descendants()
            .find(|node| {
                node.has_tag_name("polyline") && node.attribute("stroke-width") == Some("2")
            })
            .unwrap()
            .attribute("points")
            .unwrap()
            .split_whitespace()
            .map(|pair| {
                let (x, y) = pair.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(line.len(), SLICES);
        assert!(
            (line[450].1 - counts[2].1).abs() <= 1,
            "{:?} {counts:?}",
            line[450]
        );
        assert!(
            (line[1000].1 - counts[0].1).abs() <= 1,
            "{:?} {counts:?}",
            line[1000]
        );
        let rows = rectangles(&svg);
        let (left, right) = (rows[0].0, rows.last().unwrap().0 + rows.last().unwrap().2);
        assert!(
            (0..=1).contains(&(line[0].0 - left)),
            "{:?} from {left}",
            line[0]
        );
        assert!(
            (right - line[SLICES - 1].0).abs() <= 1,
            "{:?} to {right}",
            line[1099]
        );
        assert!(has_text(&svg, "lowest to highest"));
        assert!(
            texts(&svg).iter().any(|text| text.0
                == "passengers waiting (time-weighted mean per slice)"
                && text.1 == 100 + 10 + 34),
            "{:?}",
            texts(&svg)
        );
        // Nobody waiting: no band.
        let nobody =
            r#"{"schema_version":2,"events":[{"time":1,"taxi":0,"action":"leave_garage"}]}"#;
        let svg = chart_of(&dir, nobody, 40);
        assert!(has_text(&svg, "passengers waiting"));
        assert!(!has_text(&svg, "lowest to highest"));
    }
}
