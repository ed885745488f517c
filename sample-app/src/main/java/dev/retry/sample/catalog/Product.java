package dev.retry.sample.catalog;

/** A product as the catalog database knows it. */
public record Product(String sku, String name) {
}
