package dev.retry.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.RetryAutoConfiguration;

import org.springframework.asm.AnnotationVisitor;
import org.springframework.asm.ClassWriter;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.Type;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * What the start-up self-invocation scan costs: a context with 500 bean classes, each with a
 * {@code @Retryable} method and a method calling it on {@code this}, started with
 * {@code retry.startup.self-invocation} {@code warn} (scan, 500 warnings) and {@code ignore} (no
 * scan). The classes are generated with Spring's ASM, so that every one is scanned (the scan is
 * once per class). Run: {@code java -cp ... dev.retry.benchmarks.StartupScanCost}.
 */
public final class StartupScanCost {

	private static final int BEANS = 500;

	private StartupScanCost() {
	}

	public static void main(String[] args) {
		GeneratedClasses classes = new GeneratedClasses(StartupScanCost.class.getClassLoader());
		for (int i = 0; i < BEANS; i++) {
			classes.generate("dev.retry.benchmarks.generated.Client" + i);
		}
		// The scan must find every call site: with "fail", start-up stops.
		try {
			start(classes, "fail");
			throw new IllegalStateException("the scan found no call on this");
		}
		catch (RuntimeException expected) {
			if (expected instanceof IllegalStateException && expected.getMessage().startsWith("the scan")) {
				throw expected;
			}
		}
		// Warm up the JVM on a few starts, then take the best of five of each.
		for (int i = 0; i < 3; i++) {
			start(classes, "warn");
			start(classes, "ignore");
		}
		long warn = Long.MAX_VALUE;
		long ignore = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			warn = Math.min(warn, start(classes, "warn"));
			ignore = Math.min(ignore, start(classes, "ignore"));
		}
		System.out.printf(Locale.ROOT, "%nStart-up with %d annotated bean classes (best of 5, ms):%n", BEANS);
		System.out.printf(Locale.ROOT, "| self-invocation | ms |%n|---|---|%n| ignore (no scan) | %d |%n| warn (scan finds %d calls on this) | %d |%n",
				ignore / 1_000_000, BEANS, warn / 1_000_000);
	}

	/** Starts and closes a context with every generated bean; returns the start time in nanoseconds. */
	private static long start(GeneratedClasses classes, String selfInvocation) {
		// A fresh class loader each time: the scan is cached per class.
		GeneratedClasses fresh = classes.copy();
		SpringApplication application = new SpringApplication(Config.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setLogStartupInfo(false);
		application.setResourceLoader(new DefaultResourceLoader(fresh));
		application.setDefaultProperties(Map.of("retry.startup.self-invocation", selfInvocation, "logging.level.root",
				"error"));
		application.addInitializers((context) -> {
			for (String name : fresh.names()) {
				((GenericApplicationContext) context).registerBean(fresh.load(name));
			}
		});
		long start = System.nanoTime();
		try (ConfigurableApplicationContext context = application.run()) {
			return System.nanoTime() - start;
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	static class Config {

	}

	/** Classes made at run time, served as bytes too, so the scanner can read them. */
	static final class GeneratedClasses extends ClassLoader {

		private final Map<String, byte[]> bytes;

		GeneratedClasses(ClassLoader parent) {
			this(parent, new HashMap<>());
		}

		private GeneratedClasses(ClassLoader parent, Map<String, byte[]> bytes) {
			super(parent);
			this.bytes = bytes;
		}

		GeneratedClasses copy() {
			return new GeneratedClasses(getParent(), this.bytes);
		}

		Iterable<String> names() {
			return this.bytes.keySet();
		}

		Class<?> load(String name) {
			try {
				return loadClass(name);
			}
			catch (ClassNotFoundException ex) {
				throw new IllegalStateException(ex);
			}
		}

		@Override
		protected Class<?> findClass(String name) throws ClassNotFoundException {
			byte[] code = this.bytes.get(name);
			if (code == null) {
				throw new ClassNotFoundException(name);
			}
			return defineClass(name, code, 0, code.length);
		}

		@Override
		public InputStream getResourceAsStream(String resource) {
			if (resource.endsWith(".class")) {
				byte[] code = this.bytes.get(resource.substring(0, resource.length() - 6).replace('/', '.'));
				if (code != null) {
					return new ByteArrayInputStream(code);
				}
			}
			return super.getResourceAsStream(resource);
		}

		/** {@code public class X { @Retryable("bench") public String fetch(String) {...} public String all() { return fetch("all"); } }} */
		void generate(String name) {
			String internal = name.replace('.', '/');
			ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
			writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, internal, null, "java/lang/Object", null);
			MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
			init.visitCode();
			init.visitVarInsn(Opcodes.ALOAD, 0);
			init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
			init.visitInsn(Opcodes.RETURN);
			init.visitMaxs(0, 0);
			init.visitEnd();
			MethodVisitor fetch = writer.visitMethod(Opcodes.ACC_PUBLIC, "fetch", "(Ljava/lang/String;)Ljava/lang/String;",
					null, null);
			AnnotationVisitor retryable = fetch.visitAnnotation(Type.getDescriptor(Retryable.class), true);
			retryable.visit("value", "bench");
			retryable.visitEnd();
			fetch.visitCode();
			fetch.visitVarInsn(Opcodes.ALOAD, 1);
			fetch.visitInsn(Opcodes.ARETURN);
			fetch.visitMaxs(0, 0);
			fetch.visitEnd();
			MethodVisitor all = writer.visitMethod(Opcodes.ACC_PUBLIC, "all", "()Ljava/lang/String;", null, null);
			all.visitCode();
			all.visitVarInsn(Opcodes.ALOAD, 0);
			all.visitLdcInsn("all");
			all.visitMethodInsn(Opcodes.INVOKEVIRTUAL, internal, "fetch", "(Ljava/lang/String;)Ljava/lang/String;", false);
			all.visitInsn(Opcodes.ARETURN);
			all.visitMaxs(0, 0);
			all.visitEnd();
			writer.visitEnd();
			this.bytes.put(name, writer.toByteArray());
		}

	}

}
