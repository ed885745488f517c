package dev.retry.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Storefront: a small web shop whose services call downstreams over HTTP, with retries from the
 * starter. The downstreams are served by this same application, so it runs with nothing else.
 */
@SpringBootApplication
public class StorefrontApplication {

	public static void main(String[] args) {
		SpringApplication.run(StorefrontApplication.class, args);
	}

}
