package dev.retry;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules the package documentation states for the engine: plain Java (no Spring, no
 * Micrometer: the starter adapts those), and packages that depend on each other one way only.
 */
class PackageRulesTest {

	/** The engine's own classes, tests left out. */
	static final JavaClasses ENGINE = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.retry");

	/** Every package of the engine as a slice of its own, its subpackages apart from it. */
	static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {

		@Override
		public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
			String name = javaClass.getPackageName();
			return (name.equals("dev.retry") || name.startsWith("dev.retry.")) ? SliceIdentifier.of(name)
					: SliceIdentifier.ignore();
		}

		@Override
		public String getDescription() {
			return "each package of dev.retry";
		}

	};

	static final ArchRule NO_SPRING_NOR_MICROMETER = noClasses().that()
		.resideInAPackage("dev.retry..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.springframework..", "io.micrometer..")
		.because("the engine runs without Spring (the starter adapts it to Spring Boot and Micrometer)");

	static final ArchRule NO_PACKAGE_CYCLES = slices().assignedFrom(EACH_PACKAGE)
		.should()
		.beFreeOfCycles()
		.because("a package that needs another is built on it, never the other way round");

	@Test
	void theEngineNeedsNeitherSpringNorMicrometer() {
		NO_SPRING_NOR_MICROMETER.check(ENGINE);
	}

	@Test
	void thePackagesOfTheEngineDependOnEachOtherOneWayOnly() {
		NO_PACKAGE_CYCLES.check(ENGINE);
	}

	@Test
	void theBreakerKnowsNothingOfRetriesNorOfTheAttemptChain() {
		noClasses().that()
			.resideInAPackage("dev.retry.breaker")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.retry.execution..", "dev.retry.policy..", "dev.retry.budget..",
					"dev.retry.event..")
			.because("the execution side puts a breaker in its chain (BreakerStage) through the breaker's "
					+ "admission API")
			.check(ENGINE);
	}

}
