package dev.retry.sample.traffic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.retry.sample.catalog.CatalogRepository;
import dev.retry.sample.files.Download;
import dev.retry.sample.files.FileDownloader;
import dev.retry.sample.inventory.InventoryClient;
import dev.retry.sample.pricing.PricingClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Plays shoppers: calls each service on a loop of its own, so that the live page has something to
 * show as the downstreams fail and recover. Off with {@code storefront.traffic.enabled=false}, read
 * when the application starts (not a condition, which Spring AOT would settle at build time).
 */
@Component
public class TrafficGenerator implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TrafficGenerator.class);

	private final List<Thread> loops = new ArrayList<>();

	private final List<Loop> plan;

	private final boolean enabled;

	private volatile boolean running;

	public TrafficGenerator(InventoryClient inventory, PricingClient pricing, CatalogRepository catalog,
			FileDownloader files, @Value("${storefront.traffic.enabled:true}") boolean enabled) {
		this.enabled = enabled;
		this.plan = List.of(new Loop("inventory", Duration.ofMillis(300), (n) -> inventory.stock(sku(n))),
				new Loop("pricing", Duration.ofMillis(700), (n) -> pricing.price(sku(n))),
				new Loop("catalog", Duration.ofMillis(500), (n) -> catalog.find(sku(n))),
				new Loop("files", Duration.ofSeconds(10), (n) -> {
					Download download = files.download("catalog-" + n + ".pdf");
					logger.info("Downloaded " + download.name() + ": " + download.size() + " bytes in "
							+ download.attempts() + " attempt(s)");
				}));
	}

	private static String sku(long n) {
		return "sku-" + (n % 7);
	}

	@Override
	public void start() {
		this.running = true;
		for (Loop loop : this.plan) {
			Thread thread = new Thread(() -> run(loop), "traffic-" + loop.name());
			thread.setDaemon(true);
			thread.start();
			this.loops.add(thread);
		}
	}

	private void run(Loop loop) {
		for (long n = 0; this.running; n++) {
			try {
				loop.call().call(n);
			}
			catch (Exception ex) {
				// The retries and the breaker already logged it; shoppers come back anyway.
			}
			try {
				Thread.sleep(loop.pause().toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	@Override
	public boolean isAutoStartup() {
		return this.enabled;
	}

	@Override
	public void stop() {
		this.running = false;
		this.loops.forEach(Thread::interrupt);
		this.loops.clear();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@FunctionalInterface
	interface Call {

		void call(long n) throws Exception;

	}

	record Loop(String name, Duration pause, Call call) {
	}

}
