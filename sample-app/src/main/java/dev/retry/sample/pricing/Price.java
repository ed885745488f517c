package dev.retry.sample.pricing;

import java.math.BigDecimal;

/** What a product costs. */
public record Price(String sku, BigDecimal amount, String currency) {
}
