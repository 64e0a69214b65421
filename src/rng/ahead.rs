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
type Block = [u64; BLOCK_LEN];
/// Blocks the helper may fill ahead of the one being read.
const BLOCKS_AHEAD: usize = 3;
/// How long a thread that finds no block spins before it sleeps: longer
/// than the reader takes to use up a block (some 60 µs), so that in a
/// steady run neither thread sleeps and no block waits for the kernel to
/// wake a thread (469 context switches in a 2 M-event run with sleeping
/// alone).
const SPIN: Duration = Duration::from_micros(500);

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
    /// Whether waiting for a block may spin: only with a core for each
    /// thread, or the spinning thread would hold up the one it waits for.
    spin: bool,
}

/// The next value from `receiver`, or `None` once its sender is gone:
/// spinning for up to [`SPIN`] first when `spin` is set, then sleeping.
fn receive<T>(receiver: &Receiver<T>, spin: bool) -> Option<T> {
    if spin {
        let start = Instant::now();
        loop {
            match receiver.try_recv() {
                Ok(value) => return Some(value),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            if start.elapsed() > SPIN {
                break;
            }
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
    }
    receiver.recv().ok()
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
        let spin = std::thread::available_parallelism().is_ok_and(|cores| cores.get() >= 2);
        let helper = std::thread::Builder::new()
            .name("taxi-sim-draws".into())
            .spawn(move || {
                // Ends when the reader is gone: either channel then fails.
                while let Some(mut block) = receive(&used_receiver, spin) {
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
            spin,
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
        let full = self
            .full
            .as_ref()
            .and_then(|full| receive(full, self.spin))
            .expect("the helper thread fills blocks until the stream is dropped");
        let used = std::mem::replace(&mut self.block, full);
        if let Some(sender) = &self.used {
            // Fails only if the helper has ended, which `recv` reports above.
            let _ = sender.send(used);
        }
        self.next = 1;
        self.block[0]
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
