package dev.retry.autoconfigure.fleet;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task of the fleet's thread that runs once however many times it was asked for before it ran:
 * a burst of messages or changes queues one run, never one per message.
 */
final class Coalesced implements Runnable {

	private final Executor executor;

	private final Runnable task;

	private final AtomicBoolean queued = new AtomicBoolean();

	Coalesced(Executor executor, Runnable task) {
		this.executor = executor;
		this.task = task;
	}

	void request() {
		if (this.queued.compareAndSet(false, true)) {
			try {
				this.executor.execute(this);
			}
			catch (RejectedExecutionException ex) {
				// Stopping: nothing more to do.
				this.queued.set(false);
			}
		}
	}

	@Override
	public void run() {
		this.queued.set(false);
		this.task.run();
	}

}
