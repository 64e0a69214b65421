//! A stream of values produced ahead on a helper thread, for a stream whose
//! values do not depend on how they are used: the book model takes exactly
//! one draw per event, in event order, so its durations can be computed on
//! the second core while the first runs the queue and the taxis.
//!
//! The helper fills blocks of a few thousand values and hands them over a
//! bounded channel; used blocks come back over another channel to be
//! filled again, so a run allocates a handful of blocks once. The consumer
//! sees exactly the sequence the fill function writes, whatever the timing
//! of the two threads: the helper only ever runs ahead.

use std::sync::mpsc::{Receiver, Sender, SyncSender, TryRecvError, channel, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Values per block: 32 KB of `u64`, enough that handing a block over
/// (a few hundred nanoseconds) costs nothing per value, small enough that
/// the blocks in flight stay in the caches the two cores share.
pub const BLOCK_LEN: usize = 4096;
/// One block of values.
pub type Block = [u64; BLOCK_LEN];
/// Blocks the helper may fill ahead of the one being read.
const BLOCKS_AHEAD: usize = 3;
/// How long a thread that finds no block spins before it sleeps: longer
/// than either thread waits for the other in a steady run (a block lasts
/// the reader some 60 µs), so that neither sleeps and no block waits for
/// the kernel to wake a thread (469 context switches in a 2 M-event run
/// with sleeping alone).
const SPIN: Duration = Duration::from_micros(200);
/// Most waits a thread lets pass without spinning after spinning in vain.
const MOST_SKIPPED: u32 = 64;

/// Values produced on a helper thread, read in order with [`Ahead::next_value`].
#[derive(Debug)]
pub struct Ahead {
    /// A block of a fixed size: the reader's bound check compares with a
    /// constant, not a length kept in memory.
    block: Box<Block>,
    next: usize,
    /// Filled blocks, in order; `None` only while dropping.
    full: Option<Receiver<Box<Block>>>,
    /// Used blocks going back to be filled; `None` only while dropping.
    used: Option<Sender<Box<Block>>>,
    helper: Option<JoinHandle<()>>,
    waiter: Waiter,
}

/// How a thread waits for a block: by spinning while spinning pays, then
/// by sleeping. On a busy machine the thread waited for may not be running
/// at all, and spinning would only take a core from it (measured: W-book
/// five times slower with nine runnable jobs on two cores), so after a
/// spin in vain the next waits sleep at once, for longer each time.
#[derive(Debug, Clone, Copy)]
struct Waiter {
    /// How long to spin: [`SPIN`], or nothing unless this machine gives
    /// each thread a core (with one, the spinning thread would hold up the
    /// very thread it waits for).
    spin: Duration,
    /// Waits left that sleep at once, and how many the next spin in vain
    /// skips.
    skip: u32,
    backoff: u32,
}

impl Waiter {
    fn new() -> Self {
        Self {
            spin: if std::thread::available_parallelism().is_ok_and(|cores| cores.get() >= 2) {
                SPIN
            } else {
                Duration::ZERO
            },
            skip: 0,
            backoff: 0,
        }
    }

    /// The next value from `receiver`, or `None` once its sender is gone.
    fn receive<T>(&mut self, receiver: &Receiver<T>) -> Option<T> {
        if !self.spin.is_zero() && self.skip == 0 {
            let start = Instant::now();
            loop {
                match receiver.try_recv() {
                    Ok(value) => {
                        self.backoff = 0;
                        return Some(value);
                    }
                    Err(TryRecvError::Disconnected) => return None,
                    Err(TryRecvError::Empty) => {}
                }
                if start.elapsed() > self.spin {
                    break;
                }
                std::thread::yield_now();
            }
            self.backoff = (self.backoff * 2).clamp(1, MOST_SKIPPED);
            self.skip = self.backoff;
        } else {
            self.skip = self.skip.saturating_sub(1);
        }
        receiver.recv().ok()
    }
}

impl Ahead {
    /// Starts a helper thread that fills each block with `fill`, block
    /// after block, in order. `None` if the thread cannot be started (the
    /// caller then draws on its own thread).
    pub fn spawn(mut fill: impl FnMut(&mut [u64]) + Send + 'static) -> Option<Self> {
        let (full_sender, full): (SyncSender<Box<Block>>, _) = sync_channel(BLOCKS_AHEAD);
        let (used, used_receiver): (_, Receiver<Box<Block>>) = channel();
        for _ in 0..BLOCKS_AHEAD {
            used.send(Box::new([0; BLOCK_LEN])).ok()?;
        }
        let waiter = Waiter::new();
        let mut helper_waiter = waiter;
        let helper = std::thread::Builder::new()
            .name("taxi-sim-draws".into())
            .spawn(move || {
                // Ends when the reader is gone: either channel then fails.
                while let Some(mut block) = helper_waiter.receive(&used_receiver) {
                    fill(&mut block[..]);
                    if full_sender.send(block).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        // The reader starts on a block it has used up, one of the blocks
        // the helper fills in turn.
        Some(Self {
            block: Box::new([0; BLOCK_LEN]),
            next: BLOCK_LEN,
            full: Some(full),
            used: Some(used),
            helper: Some(helper),
            waiter,
        })
    }

    /// The next value of the stream.
    #[inline(always)]
    pub fn next_value(&mut self) -> u64 {
        match self.block.get(self.next) {
            Some(&value) => {
                self.next += 1;
                value
            }
            None => self.next_block(),
        }
    }

    /// Takes the next block, hands the used one back to be filled again,
    /// and returns the new block's first value.
    #[cold]
    #[inline(never)]
    fn next_block(&mut self) -> u64 {
        exchange(&self.full, &self.used, &mut self.waiter, &mut self.block);
        self.next = 1;
        self.block[0]
    }

    /// Replaces `block`, whose values have all been read, with the next
    /// block of the stream, and hands it back to be filled again: for a
    /// reader that keeps its block in its own hands (and its position in a
    /// register). Such a reader starts with a block of its own, read to
    /// the end, and does not mix this with [`Ahead::next_value`].
    #[cold]
    #[inline(never)]
    pub fn swap_block(&mut self, block: &mut Box<Block>) {
        exchange(&self.full, &self.used, &mut self.waiter, block);
    }
}

/// Replaces `block` with the next full block from `full` and sends the
/// used one back over `used`.
fn exchange(
    full: &Option<Receiver<Box<Block>>>,
    used: &Option<Sender<Box<Block>>>,
    waiter: &mut Waiter,
    block: &mut Box<Block>,
) {
    let next = full
        .as_ref()
        .and_then(|full| waiter.receive(full))
        .expect("the helper thread fills blocks until the stream is dropped");
    let done = std::mem::replace(block, next);
    if let Some(sender) = used {
        // Fails only if the helper has ended, which `recv` reports above.
        let _ = sender.send(done);
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // Closing both channels wakes the helper wherever it waits.
        self.full = None;
        self.used = None;
        if let Some(helper) = self.helper.take() {
            let _ = helper.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting() -> Ahead {
        let mut counter = 0u64;
        Ahead::spawn(move |block| {
            for slot in block {
                *slot = counter;
                counter += 1;
            }
        })
        .unwrap()
    }

    #[test]
    fn values_arrive_in_the_order_they_were_produced_across_blocks() {
        let mut ahead = counting();
        for expected in 0..(BLOCK_LEN as u64 * 10 + 17) {
            assert_eq!(ahead.next_value(), expected);
        }
    }

    /// A value sent on a fresh channel after `delay`: a wait for it longer than [`SPIN`].
    fn sent_after(delay: Duration) -> Receiver<u32> {
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            let _ = sender.send(7);
        });
        receiver
    }

    #[test]
    fn a_waiter_stops_spinning_after_spinning_in_vain_and_longer_each_time() {
        // A spin of a nanosecond is one try: in vain however busy the
        // machine is, as the value comes 50 ms later.
        let mut waiter = Waiter {
            spin: Duration::from_nanos(1),
            skip: 0,
            backoff: 0,
        };
        let late = || sent_after(Duration::from_millis(50));
        assert_eq!(waiter.receive(&late()), Some(7));
        assert_eq!((waiter.skip, waiter.backoff), (1, 1));
        // A skipped wait sleeps at once, however long it waits.
        assert_eq!(waiter.receive(&late()), Some(7));
        assert_eq!((waiter.skip, waiter.backoff), (0, 1));
        assert_eq!(waiter.receive(&late()), Some(7));
        assert_eq!((waiter.skip, waiter.backoff), (2, 2));
        waiter.skip = 0;
        for _ in 0..10 {
            assert_eq!(waiter.receive(&late()), Some(7));
            waiter.skip = 0;
        }
        assert_eq!(waiter.backoff, MOST_SKIPPED);
        // A spin that pays makes the next wait spin again.
        let (sender, ready) = channel();
        sender.send(1).unwrap();
        assert_eq!(waiter.receive(&ready), Some(1));
        assert_eq!((waiter.skip, waiter.backoff), (0, 0));
        drop(sender);
        assert_eq!(waiter.receive(&ready), None);
    }

    #[test]
    fn a_value_that_comes_while_the_waiter_spins_is_taken_by_spinning() {
        let mut waiter = Waiter {
            spin: Duration::from_secs(20),
            skip: 0,
            backoff: 0,
        };
        assert_eq!(
            waiter.receive(&sent_after(Duration::from_millis(20))),
            Some(7)
        );
        assert_eq!((waiter.skip, waiter.backoff), (0, 0));
    }

    #[test]
    fn a_waiter_that_may_not_spin_only_sleeps() {
        let mut waiter = Waiter {
            spin: Duration::ZERO,
            skip: 0,
            backoff: 0,
        };
        assert_eq!(
            waiter.receive(&sent_after(Duration::from_millis(50))),
            Some(7)
        );
        assert_eq!((waiter.skip, waiter.backoff), (0, 0));
    }

    #[test]
    fn dropping_the_stream_returns_once_the_helper_has_ended() {
        // The fill function lives on the helper thread until it ends.
        let alive = std::sync::Arc::new(());
        let held = alive.clone();
        let mut ahead = Ahead::spawn(move |block| {
            let _ = &held;
            block.fill(1);
        })
        .unwrap();
        assert_eq!(ahead.next_value(), 1);
        drop(ahead);
        assert_eq!(std::sync::Arc::strong_count(&alive), 1);
    }

    #[test]
    fn dropping_the_stream_early_ends_the_helper() {
        // Dropping joins the helper: this returns only if it ends, whether
        // it waits for a used block or to hand a full one over.
        drop(counting());
        let mut ahead = counting();
        ahead.next_value();
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(ahead);
    }
}
