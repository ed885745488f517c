package dev.retry.docs.result;

import java.util.function.Predicate;

// tag::predicate[]
public class StillPending implements Predicate<String> {

    @Override
    public boolean test(String status) {
        return "PENDING".equals(status);    // an answer that means "not yet": retried like a 503
    }

}
// end::predicate[]
