package dev.retry.docs.testing;

import java.time.Duration;

import dev.retry.autoconfigure.config.CircuitBreakerRegistry;
import dev.retry.breaker.State;
import dev.retry.docs.Downstream;
import dev.retry.docs.tour.InventoryClient;
import dev.retry.docs.tour.Stock;
import dev.retry.time.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.HttpServerErrorException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

// tag::test[]
@SpringBootTest(properties = "retry.circuit-breakers.inventory.failure-threshold=3")
class InventoryClientTests {

    @TestConfiguration
    static class NoWaiting {

        @Bean
        ManualClock retryClock() {   // replaces sleeping, time and the scheduler: nothing waits
            return new ManualClock();
        }

    }

    @Autowired
    ManualClock clock;

    @Autowired
    CircuitBreakerRegistry breakers;

    @Autowired
    InventoryClient inventory;

    @BeforeEach
    void closedBreakerAndNoDelays() {
        breakers.find("inventory").reset();
        clock.clearSleeps();
    }

    @Test
    void retriesTwiceThenAnswers() {
        inventoryAnswers(503, 503, 200);

        assertThat(inventory.stock("sku-1").quantity()).isEqualTo(3);
        assertThat(clock.sleeps()).hasSize(2);    // the delays that would have been slept
    }

    @Test
    void anOpenBreakerHalfOpensWithoutWaiting() {
        inventoryAnswers(503);
        assertThatExceptionOfType(HttpServerErrorException.class).isThrownBy(() -> inventory.stock("sku-2"));
        assertThat(breakers.find("inventory").getState()).isEqualTo(State.OPEN);   // three failures opened it
        Stock fallback = inventory.stock("sku-2");   // rejected at once: the fallback answers

        clock.advance(Duration.ofSeconds(60));       // its open-duration, without waiting for it
        inventoryAnswers(200);

        assertThat(inventory.stock("sku-2").quantity()).isEqualTo(3);
        assertThat(breakers.find("inventory").getState()).isEqualTo(State.CLOSED);
        assertThat(fallback.quantity()).isZero();                     // nothing known of sku-2 yet
    }
    // end::test[]

    private static final Downstream server = Downstream.answering(200).withBody("{\"sku\":\"sku-1\",\"quantity\":3}");

    @DynamicPropertySource
    static void inventoryUrl(DynamicPropertyRegistry registry) {
        registry.add("inventory.url", server::url);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void inventoryAnswers(int... statuses) {
        server.script(statuses);
    }


}
