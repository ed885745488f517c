package dev.retry.autoconfigure.interfaces.fragment;

import dev.retry.annotation.Retryable;

/** A repository fragment: its interface carries the annotation, a class of the application implements it. */
public interface Audit {

	@Retryable(policy = "db")
	String audit(String note);

}
