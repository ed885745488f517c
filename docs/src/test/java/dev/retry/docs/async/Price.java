package dev.retry.docs.async;

public record Price(String sku, String amount, boolean list) {

	static Price list(String sku) {
		return new Price(sku, "19.99", true);
	}

}
