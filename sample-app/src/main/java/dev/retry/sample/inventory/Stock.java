package dev.retry.sample.inventory;

/**
 * Units of a product in stock.
 * @param sku the product
 * @param available units available
 */
public record Stock(String sku, int available) {

}
