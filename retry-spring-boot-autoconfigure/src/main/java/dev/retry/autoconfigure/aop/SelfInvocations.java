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
		Map<String, Class<?>> owners = new java.util.LinkedHashMap<>();
		Set<Class<?>> interfaces = new LinkedHashSet<>();
		for (Class<?> type = beanClass; type != null && type != Object.class; type = type.getSuperclass()) {
			owners.put(Type.getInternalName(type), type);
			for (Class<?> ifc : type.getInterfaces()) {
				collectInterfaces(ifc, interfaces);
			}
		}
		interfaces.forEach((ifc) -> owners.put(Type.getInternalName(ifc), ifc));
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

	private static void scanWithNested(Class<?> type, Map<String, Method> targets, Map<String, Class<?>> owners,
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
			Map<String, Method> targets, Map<String, Class<?>> owners, List<SelfCall> calls, Set<String> nested) {
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
				// A bridge (or another method the compiler wrote, but for a lambda's body) calls the
				// method it stands for on this: that is the call through the proxy itself.
				if ((access & Opcodes.ACC_BRIDGE) != 0
						|| ((access & Opcodes.ACC_SYNTHETIC) != 0 && !name.startsWith("lambda$"))) {
					return null;
				}
				String self = beanClass ? name + descriptor : null;
				// In the bean class, local 0 is the bean; in an inner class, this$0 read from local 0 is.
				return new ReceiverTracker(beanClass ? null : this.outerThis) {

					@Override
					protected void call(String owner, String called, String calledDescriptor, boolean receiverIsThis,
							boolean exact) {
						// In an inner class, local 0 is the inner object, whose type is never an owner here.
						Class<?> ownerClass = owners.get(owner);
						if (ownerClass == null || !receiverIsThis) {
							return;
						}
						Method callee = targets.get(called + calledDescriptor);
						// super.stock(): the parent's own method runs, annotated or not, whatever overrides it.
						if (callee != null && exact && !callee.equals(declared(ownerClass, called, calledDescriptor))) {
							return;
						}
						record(callee, called + calledDescriptor);
					}

					@Override
					protected void boundReference(Handle handle) {
						if (owners.containsKey(handle.getOwner())) {
							record(targets.get(handle.getName() + handle.getDesc()), handle.getName() + handle.getDesc());
						}
					}

					private void record(@Nullable Method callee, String target) {
						// A recursive call of the annotated method itself is part of its own attempt.
						if (callee == null || target.equals(self)) {
							return;
						}
						String caller = callerName(className, beanClassName, name, descriptor, callee);
						SelfCall call = new SelfCall(caller, callee);
						if (!calls.contains(call)) {
							calls.add(call);
						}
					}

				};
			}

		}, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
	}

	/**
	 * The method declared with this name and descriptor in {@code type} or the nearest superclass
	 * declaring it: what {@code invokespecial} on {@code type} runs.
	 */
	private static @Nullable Method declared(Class<?> type, String name, String descriptor) {
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			for (Method method : candidate.getDeclaredMethods()) {
				if (method.getName().equals(name) && Type.getMethodDescriptor(method).equals(descriptor)) {
					return method;
				}
			}
		}
		return null;
	}

	/**
	 * The method a call site is written in, as {@code refreshAll()}: a lambda's enclosing method, or
	 * the inner class's method; with its parameter types when it is an overload of the method it
	 * calls, as {@code stock(String, boolean)}.
	 */
	private static String callerName(String className, String beanClassName, String method, String descriptor,
			Method callee) {
		String name = method;
		String parameters = "()";
		if (name.startsWith("lambda$")) {
			int end = name.indexOf('$', "lambda$".length());
			name = (end > 0) ? name.substring("lambda$".length(), end) : name;
		}
		else if (name.equals(callee.getName())) {
			parameters = java.util.Arrays.stream(Type.getArgumentTypes(descriptor))
				.map((type) -> type.getClassName().substring(type.getClassName().lastIndexOf('.') + 1))
				.collect(java.util.stream.Collectors.joining(", ", "(", ")"));
		}
		if (!className.equals(beanClassName)) {
			String inner = className.substring(beanClassName.length() + 1);
			name = (name.equals("<init>") ? "new " + inner : inner + "." + name);
		}
		return name + parameters;
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
	 * @param caller the method (or lambda's enclosing method, or inner class method) the call is written
	 * in, with its parentheses: {@code refreshAll()}
	 * @param callee the annotated method called
	 */
	record SelfCall(String caller, Method callee) {
	}

}
