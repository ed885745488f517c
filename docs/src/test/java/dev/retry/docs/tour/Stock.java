package dev.retry.docs.tour;

public record Stock(String sku, int quantity) {

	static Stock unknown(String sku) {
		return new Stock(sku, 0);
	}

}
