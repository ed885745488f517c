package dev.retry.autoconfigure.aop;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.Handle;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.Type;

/**
 * Finds, in the bytecode of a bean class, the calls on {@code this} to its annotated methods: they
 * bypass the Spring proxy, so the annotations do not apply to them. Looks at every method of the
 * class, at its lambdas (compiled into the class) and at its inner and anonymous classes (which
 * reach the bean through {@code Outer.this}), at method references such as {@code this::stock}, and
 * at the {@code default} methods of its interfaces, which run on the bean itself.
 * Read once per bean class at start-up, with Spring's own ASM.
 */
final class SelfInvocations {

	private SelfInvocations() {
	}

	/**
	 * Each call site found, as {@code "InventoryClient.refreshAll() calls stock(String) on this"}.
	 * A class whose bytecode cannot be read yields nothing.
	 */
	static List<SelfCall> find(Class<?> beanClass, Map<Method, AnnotatedMethods.Annotations> annotated) {
		Map<String, Method> targets = new java.util.HashMap<>();
		annotated.keySet().forEach((method) -> targets.put(method.getName() + Type.getMethodDescriptor(method), method));
		Set<String> owners = new LinkedHashSet<>();
		Set<Class<?>> interfaces = new LinkedHashSet<>();
		for (Class<?> type = beanClass; type != null && type != Object.class; type = type.getSuperclass()) {
			owners.add(Type.getInternalName(type));
			for (Class<?> ifc : type.getInterfaces()) {
				collectInterfaces(ifc, interfaces);
			}
		}
		interfaces.forEach((ifc) -> owners.add(Type.getInternalName(ifc)));
		List<SelfCall> calls = new ArrayList<>();
		scanWithNested(beanClass, targets, owners, calls);
		for (Class<?> ifc : interfaces) {
			// A default method the bean inherits runs on the bean itself: its calls on this bypass the proxy too.
			if (hasDefaultMethods(ifc)) {
				scanWithNested(ifc, targets, owners, calls);
			}
		}
		return calls;
	}

	private static void scanWithNested(Class<?> type, Map<String, Method> targets, Set<String> owners,
			List<SelfCall> calls) {
		String internalName = Type.getInternalName(type);
		Set<String> nested = new LinkedHashSet<>();
		scan(type.getClassLoader(), internalName, internalName, targets, owners, calls, nested);
		for (String inner : nested) {
			scan(type.getClassLoader(), inner, internalName, targets, owners, calls, new LinkedHashSet<>());
		}
	}

	/** The interface and those it extends, leaving out the JDK's, whose code calls nothing of the bean's. */
	private static void collectInterfaces(Class<?> ifc, Set<Class<?>> into) {
		if (!ifc.getName().startsWith("java.") && into.add(ifc)) {
			for (Class<?> parent : ifc.getInterfaces()) {
				collectInterfaces(parent, into);
			}
		}
	}

	private static boolean hasDefaultMethods(Class<?> ifc) {
		for (Method method : ifc.getDeclaredMethods()) {
			if (method.isDefault()) {
				return true;
			}
		}
		return false;
	}

	private static void scan(@Nullable ClassLoader loader, String className, String beanClassName,
			Map<String, Method> targets, Set<String> owners, List<SelfCall> calls, Set<String> nested) {
		ClassReader reader = read(loader, className);
		if (reader == null) {
			return;
		}
		boolean beanClass = className.equals(beanClassName);
		reader.accept(new ClassVisitor(Opcodes.ASM9) {

			/** The field through which an inner (not static nested) class reaches the bean: this$0. */
			private @Nullable String outerThis;

			@Override
			public org.springframework.asm.@Nullable FieldVisitor visitField(int access, String name, String descriptor,
					@Nullable String signature, @Nullable Object value) {
				if (name.startsWith("this$") && descriptor.equals("L" + beanClassName + ";")) {
					this.outerThis = name;
				}
				return null;
			}

			@Override
			public void visitInnerClass(String name, @Nullable String outerName, @Nullable String innerName,
					int access) {
				if (name.startsWith(beanClassName + "$") && !name.equals(className)) {
					nested.add(name);
				}
			}

			@Override
			public @Nullable MethodVisitor visitMethod(int access, String name, String descriptor,
					@Nullable String signature, String @Nullable [] exceptions) {
				// Static code, a lambda that captures no this (compiled static), a static nested class: no this.
				if ((access & Opcodes.ACC_STATIC) != 0 || (!beanClass && this.outerThis == null)) {
					return null;
				}
				String caller = callerName(className, beanClassName, name);
				// In the bean class, local 0 is the bean; in an inner class, this$0 read from local 0 is.
				return new ReceiverTracker(beanClass ? null : this.outerThis) {

					@Override
					protected void call(String owner, String called, String calledDescriptor, boolean receiverIsThis) {
						// In an inner class, local 0 is the inner object, whose type is never an owner here.
						if (owners.contains(owner) && receiverIsThis) {
							record(caller, called + calledDescriptor);
						}
					}

					@Override
					protected void boundReference(Handle handle) {
						if (owners.contains(handle.getOwner())) {
							record(caller, handle.getName() + handle.getDesc());
						}
					}

					private void record(String from, String target) {
						Method callee = targets.get(target);
						if (callee != null && !from.equals(callee.getName())) {
							SelfCall call = new SelfCall(from, callee);
							if (!calls.contains(call)) {
								calls.add(call);
							}
						}
					}

				};
			}

		}, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
	}

	/** The method a call site is written in: a lambda's enclosing method, or the inner class's method. */
	private static String callerName(String className, String beanClassName, String method) {
		String name = method;
		if (name.startsWith("lambda$")) {
			int end = name.indexOf('$', "lambda$".length());
			name = (end > 0) ? name.substring("lambda$".length(), end) : name;
		}
		if (!className.equals(beanClassName)) {
			String inner = className.substring(beanClassName.length() + 1);
			name = (name.equals("<init>") ? "new " + inner : inner + "." + name);
		}
		return name;
	}

	private static @Nullable ClassReader read(@Nullable ClassLoader loader, String internalName) {
		ClassLoader classLoader = (loader != null) ? loader : ClassLoader.getSystemClassLoader();
		try (InputStream in = classLoader.getResourceAsStream(internalName + ".class")) {
			return (in != null) ? new ClassReader(in) : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * A call on {@code this} to an annotated method.
	 * @param caller the method (or lambda's enclosing method, or inner class method) the call is written in
	 * @param callee the annotated method called
	 */
	record SelfCall(String caller, Method callee) {
	}

}
