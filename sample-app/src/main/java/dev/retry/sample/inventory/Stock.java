package dev.retry.sample.inventory;

/**
 * Units of a product in stock.
 * @param sku the product
 * @param available units available
 * @param stale {@code true} when the inventory could not be asked and this is the last known answer
 */
public record Stock(String sku, int available, boolean stale) {

	Stock asStale() {
		return new Stock(this.sku, this.available, true);
	}

}
