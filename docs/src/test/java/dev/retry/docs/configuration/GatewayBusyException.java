package dev.retry.docs.configuration;

/** The payment gateway asks to be called again later: named in {@code retry-on}. */
public class GatewayBusyException extends RuntimeException {

}
