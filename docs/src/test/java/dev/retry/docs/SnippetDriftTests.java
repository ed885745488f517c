package dev.retry.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and every page of the guide show code the build compiles and runs: each Java,
 * Kotlin or YAML block is a marked region of a source (see {@link Snippets}). Run with
 * {@code -Ddocs.update=true} to copy the regions into the pages after changing a source.
 */
class SnippetDriftTests {

	static final Path ROOT = Path.of("").toAbsolutePath().getParent();

	@Test
	void everyCodeBlockAReaderMightCopyComesFromAMarkedRegion() {
		List<String> unmarked = new ArrayList<>();
		for (Path page : pages()) {
			for (Snippets.Block block : Snippets.blocks(page)) {
				if (Snippets.CHECKED_LANGUAGES.contains(block.language()) && !block.marked()) {
					unmarked.add(block.where(ROOT) + " (" + block.language() + ")");
				}
			}
		}
		assertThat(unmarked)
			.as("Blocks without <!-- snippet: path#region --> on the line before: write them in a source the build "
					+ "compiles and tests, mark the region with tag::name[] and end::name[], and name it")
			.isEmpty();
	}

	@Test
	void everyMarkedBlockIsItsRegion() throws IOException {
		boolean update = Boolean.getBoolean("docs.update");
		List<String> drifted = new ArrayList<>();
		for (Path page : pages()) {
			if (update) {
				Files.writeString(page, Snippets.rewrite(page, ROOT));
			}
			for (Snippets.Block block : Snippets.blocks(page)) {
				if (!block.marked()) {
					continue;
				}
				Path source = ROOT.resolve(block.source());
				assertThat(source).as(block.where(ROOT) + " names a source that does not exist").isRegularFile();
				List<String> region = Snippets.region(source, block.region());
				if (!region.equals(block.lines())) {
					drifted.add(block.where(ROOT) + " differs from " + block.source() + "#" + block.region()
							+ "\n--- page\n" + String.join("\n", block.lines()) + "\n--- source\n"
							+ String.join("\n", region));
				}
			}
		}
		assertThat(drifted).as("Pages whose code differs from the source it is copied from (run the build with "
				+ "-Ddocs.update=true to copy the sources into the pages)").isEmpty();
	}

	static List<Path> pages() {
		List<Path> pages = new ArrayList<>();
		pages.add(ROOT.resolve("README.md"));
		try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
			files.filter((file) -> file.toString().endsWith(".md"))
				.filter((file) -> !file.startsWith(ROOT.resolve("docs/target")))
				.sorted()
				.forEach(pages::add);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return pages;
	}

}
