package dev.retry.budget;

import java.util.concurrent.atomic.LongAdder;

import dev.retry.internal.Assert;
import dev.retry.policy.RetryPolicy.BudgetSettings;
import dev.retry.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Retries within a sliding window may not exceed {@code min-retries-per-second x window-seconds +
 * ratio x calls in the window}. One budget per policy, shared by every method using it.
 * <p>
 * Recording a call is a clock read and a {@link LongAdder} increment, without a lock or an
 * allocation. Taking a retry from the budget holds a lock briefly, so that concurrent retries can
 * never overdraw it: the number of retries made is bounded exactly. The window moves in tenths.
 */
public final class RetryBudget {

	private static final int BUCKETS = 10;

	private final double ratio;

	private final double minRetries;

	private final long bucketNanos;

	private final Ticker ticker;

	private final Bucket[] ring = new Bucket[BUCKETS];

	private final Object lock = new Object();

	private final BudgetSettings settings;

	/** Where a budget shared by a fleet is counted, or {@code null}: this instance's own. */
	private volatile @Nullable BudgetLink link;

	/** Calls recorded since the link last took them: counted only while linked. */
	private final LongAdder undrained = new LongAdder();

	private RetryBudget(BudgetSettings settings, Ticker ticker) {
		this.settings = settings;
		Assert.isTrue(settings.isEnabled(), "a budget needs a ratio > 0, was %s", settings.ratio());
		this.ratio = settings.ratio();
		this.minRetries = settings.minRetriesPerSecond() * (settings.window().toNanos() / 1e9);
		this.bucketNanos = Math.max(1, settings.window().toNanos() / BUCKETS);
		this.ticker = ticker;
		long epoch = epoch(ticker.nanoTime());
		for (int i = 0; i < BUCKETS; i++) {
			this.ring[i] = new Bucket(Long.MIN_VALUE);
		}
		this.ring[index(epoch)].epoch = epoch;
	}

	/** The budget these settings describe, or {@code null} when they leave it off. */
	public static @Nullable RetryBudget of(BudgetSettings settings, Ticker ticker) {
		return settings.isEnabled() ? new RetryBudget(settings, ticker) : null;
	}

	/** Counts one call (not one attempt) toward the window. */
	public void recordCall() {
		long epoch = epoch(this.ticker.nanoTime());
		Bucket bucket = this.ring[index(epoch)];
		if (bucket.epoch != epoch) {
			bucket = current(epoch);
		}
		bucket.calls.increment();
		if (this.link != null) {
			this.undrained.increment();
		}
	}

	/** The settings the budget was made from. */
	public BudgetSettings settings() {
		return this.settings;
	}

	/**
	 * Counts retries through {@code link} from now on: a budget shared by a fleet of instances.
	 * While the link cannot tell, this instance's own budget decides.
	 */
	public void link(BudgetLink link) {
		this.link = Assert.notNull(link, "link");
	}

	/** Calls recorded since the last time this was asked, for a link to add to the fleet's count. */
	public long drainCalls() {
		return this.undrained.sumThenReset();
	}

	/**
	 * Takes one retry from the budget.
	 * @return {@code false} when the budget is spent and the retry must not be made
	 */
	public boolean tryAcquireRetry() {
		BudgetLink link = this.link;
		if (link != null) {
			Boolean shared;
			try {
				shared = link.tryAcquireRetry(this);
			}
			catch (RuntimeException ex) {
				shared = null;
			}
			if (shared != null) {
				if (shared) {
					countRetry();
				}
				return shared;
			}
		}
		long epoch = epoch(this.ticker.nanoTime());
		synchronized (this.lock) {
			Bucket bucket = current(epoch);
			long calls = 0;
			long retries = 0;
			for (Bucket each : this.ring) {
				if (each.epoch > epoch - BUCKETS) {
					calls += each.calls.sum();
					retries += each.retries;
				}
			}
			if (retries + 1 > this.minRetries + this.ratio * calls) {
				return false;
			}
			bucket.retries++;
			return true;
		}
	}

	/** Counts a retry the fleet allowed, so this instance's own window knows of it. */
	private void countRetry() {
		long epoch = epoch(this.ticker.nanoTime());
		synchronized (this.lock) {
			current(epoch).retries++;
		}
	}

	/** Calls counted in the current window. */
	public long callsInWindow() {
		return sum(false);
	}

	/** Retries taken in the current window. */
	public long retriesInWindow() {
		return sum(true);
	}

	private long sum(boolean retries) {
		long epoch = epoch(this.ticker.nanoTime());
		synchronized (this.lock) {
			long total = 0;
			for (Bucket each : this.ring) {
				if (each.epoch > epoch - BUCKETS && each.epoch <= epoch) {
					total += retries ? each.retries : each.calls.sum();
				}
			}
			return total;
		}
	}

	/** The bucket of this epoch, recycled from an older one when needed. */
	private Bucket current(long epoch) {
		Bucket bucket = this.ring[index(epoch)];
		if (bucket.epoch < epoch) {
			synchronized (this.lock) {
				if (bucket.epoch < epoch) {
					bucket.calls.reset();
					bucket.retries = 0;
					bucket.epoch = epoch;
				}
			}
		}
		// A reader whose clock reading is late counts toward the newer bucket.
		return bucket;
	}

	private long epoch(long nanos) {
		return Math.floorDiv(nanos, this.bucketNanos);
	}

	private static int index(long epoch) {
		return (int) Math.floorMod(epoch, (long) BUCKETS);
	}

	private static final class Bucket {

		volatile long epoch;

		final LongAdder calls = new LongAdder();

		/** Guarded by the budget's lock. */
		long retries;

		Bucket(long epoch) {
			this.epoch = epoch;
		}

	}

}
