package dev.retry.docs.testing;

import dev.retry.docs.tour.InventoryClient;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The application under test in docs/testing.md: the tour's inventory client. */
@SpringBootApplication
@Import(InventoryClient.class)
public class ShopApplication {

}
