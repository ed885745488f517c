package dev.retry.sample.inventory;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Makes one call to the flaky inventory once the application is up, so the retries show in the
 * log straight away. Off with {@code storefront.startup-demo=false}.
 */
@Component
@ConditionalOnBooleanProperty(name = "storefront.startup-demo", matchIfMissing = true)
class StartupDemo {

	private static final Log logger = LogFactory.getLog(StartupDemo.class);

	private final InventoryClient inventory;

	StartupDemo(InventoryClient inventory) {
		this.inventory = inventory;
	}

	@EventListener(ApplicationReadyEvent.class)
	void callOnce() {
		Thread demo = new Thread(() -> {
			Stock stock = this.inventory.stock("demo-42");
			logger.info("Startup demo: " + stock + " (try http://localhost:8080/api/products/demo-42/stock)");
		}, "startup-demo");
		demo.setDaemon(true);
		demo.start();
	}

}
