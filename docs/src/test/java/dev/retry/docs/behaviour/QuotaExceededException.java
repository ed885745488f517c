package dev.retry.docs.behaviour;

import dev.retry.classify.Retryability;

// tag::transient[]
class QuotaExceededException extends RuntimeException implements Retryability {

    @Override
    public boolean isTransient() {
        return true;    // worth another attempt: the quota refills
    }

}
// end::transient[]
