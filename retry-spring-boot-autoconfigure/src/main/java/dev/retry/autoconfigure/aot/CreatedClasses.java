package dev.retry.autoconfigure.aot;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.Type;
import org.springframework.util.ClassUtils;

/**
 * The classes a {@code @Bean} method makes, read from its bytecode: ahead of time a bean is known
 * by the type its method declares, and {@code InventoryClient inventory() { return new
 * HttpInventoryClient(...); }} hides the class whose annotated methods the proxy will intercept.
 * Each class instantiated in the method's body that is a concrete subtype of the declared type is
 * one; what the method obtains otherwise (a builder, another factory) is not seen.
 */
final class CreatedClasses {

	private CreatedClasses() {
	}

	static Set<Class<?>> of(Method beanMethod, @Nullable ClassLoader classLoader) {
		Set<Class<?>> created = new LinkedHashSet<>();
		Class<?> declaring = beanMethod.getDeclaringClass();
		ClassLoader loader = (classLoader != null) ? classLoader : declaring.getClassLoader();
		ClassReader reader = read(loader, declaring);
		if (reader == null) {
			return created;
		}
		String descriptor = Type.getMethodDescriptor(beanMethod);
		Set<String> instantiated = new LinkedHashSet<>();
		reader.accept(new ClassVisitor(Opcodes.ASM9) {
			@Override
			public @Nullable MethodVisitor visitMethod(int access, String name, String methodDescriptor,
					@Nullable String signature, String @Nullable [] exceptions) {
				if (!name.equals(beanMethod.getName()) || !methodDescriptor.equals(descriptor)) {
					return null;
				}
				return new MethodVisitor(Opcodes.ASM9) {
					@Override
					public void visitTypeInsn(int opcode, String type) {
						if (opcode == Opcodes.NEW) {
							instantiated.add(Type.getObjectType(type).getClassName());
						}
					}
				};
			}
		}, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
		Class<?> declared = beanMethod.getReturnType();
		for (String name : instantiated) {
			Class<?> type = load(name, loader);
			if (type != null && declared.isAssignableFrom(type) && !type.isInterface()
					&& !Modifier.isAbstract(type.getModifiers())) {
				created.add(type);
			}
		}
		return created;
	}

	private static @Nullable Class<?> load(String name, @Nullable ClassLoader loader) {
		try {
			return ClassUtils.forName(name, loader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

	private static @Nullable ClassReader read(@Nullable ClassLoader loader, Class<?> type) {
		ClassLoader classLoader = (loader != null) ? loader : ClassLoader.getSystemClassLoader();
		try (InputStream in = classLoader.getResourceAsStream(Type.getInternalName(type) + ".class")) {
			return (in != null) ? new ClassReader(in) : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}
