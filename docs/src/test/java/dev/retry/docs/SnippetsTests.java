package dev.retry.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The drift check itself: it sees a change made on one side only. */
class SnippetsTests {

	@TempDir
	Path root;

	@Test
	void aRegionIsItsLinesWithoutTagsOrCommonIndentation() throws IOException {
		Path source = write("Example.java", """
				class Example {
				\tvoid run() {
				\t\t// tag::call[]
				\t\tclient.stock(sku);
				\t\tif (x) {
				\t\t\ty();
				\t\t}
				\t\t// end::call[]
				\t}
				}
				""");
		assertThat(Snippets.region(source, "call")).containsExactly("client.stock(sku);", "if (x) {", "    y();", "}");
	}

	@Test
	void aBlockThatDiffersFromItsRegionIsSeenAndRewritten() throws IOException {
		write("Example.java", "// tag::a[]\nint answer = 42;\n// end::a[]\n");
		Path page = write("page.md", """
				Text.

				<!-- snippet: Example.java#a -->
				```java
				int answer = 41;
				```
				""");
		Snippets.Block block = Snippets.blocks(page).get(0);
		assertThat(block.marked()).isTrue();
		assertThat(block.lines()).containsExactly("int answer = 41;");
		assertThat(Snippets.region(this.root.resolve(block.source()), block.region())).containsExactly("int answer = 42;");
		assertThat(Snippets.rewrite(page, this.root)).contains("int answer = 42;").doesNotContain("41");
	}

	@Test
	void aBlockWithoutMarkerOrSeparatedFromItIsUnmarked() throws IOException {
		Path page = write("page.md", """
				```java
				int a;
				```

				<!-- snippet: Example.java#a -->
				Some words in between.
				```yaml
				retry: {}
				```
				""");
		List<Snippets.Block> blocks = Snippets.blocks(page);
		assertThat(blocks).hasSize(2).noneMatch(Snippets.Block::marked);
		assertThat(blocks).extracting(Snippets.Block::language).containsExactly("java", "yaml");
	}

	@Test
	void aMissingRegionIsNamed() throws IOException {
		Path source = write("Example.java", "class Example {}\n");
		assertThatIllegalArgumentException().isThrownBy(() -> Snippets.region(source, "gone"))
			.withMessageContaining("has no region 'gone'");
	}

	private Path write(String name, String content) throws IOException {
		Path file = this.root.resolve(name);
		Files.writeString(file, content);
		return file;
	}

}
