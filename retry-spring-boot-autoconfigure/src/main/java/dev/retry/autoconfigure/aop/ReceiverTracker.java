package dev.retry.autoconfigure.aop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.asm.Handle;
import org.springframework.asm.Label;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.Type;

/**
 * Follows the operand stack of one method closely enough to tell, at each call, whether the
 * receiver is {@code this} (local 0 of an instance method, or {@code Outer.this} read from an inner
 * class's {@code this$0}): a call on an injected reference to the same bean ({@code self.stock()})
 * goes through the proxy and must not be reported. Each slot is one boolean: "this".
 */
abstract class ReceiverTracker extends MethodVisitor {

	private static final Boolean THIS = Boolean.TRUE;

	private static final Boolean OTHER = Boolean.FALSE;

	private List<Boolean> stack = new ArrayList<>();

	/** Stack at a jump target, taken at the jump, for code reached only by jumping. */
	private final Map<Label, List<Boolean>> atLabels = new HashMap<>();

	private final Map<Label, Boolean> handlers = new HashMap<>();

	/** After goto, return or throw: the next code is reached only by a jump. */
	private boolean unreachable;

	private final @Nullable String outerThisField;

	/** @param outerThisField for an inner class, its {@code this$N} field holding the bean; else {@code null} */
	ReceiverTracker(@Nullable String outerThisField) {
		super(Opcodes.ASM9);
		this.outerThisField = outerThisField;
	}

	/**
	 * A call whose receiver is known: {@code receiverIsThis} says whether it is the bean itself;
	 * {@code exact} whether the call names the very method it runs ({@code invokespecial}:
	 * {@code super.stock()}), rather than the receiver's most specific override.
	 */
	protected abstract void call(String owner, String name, String descriptor, boolean receiverIsThis, boolean exact);

	/** A method reference bound to the bean ({@code this::stock}). */
	protected abstract void boundReference(Handle handle);

	private void push(Boolean value, int size) {
		for (int i = 0; i < size; i++) {
			this.stack.add(value);
		}
	}

	private void pop(int size) {
		for (int i = 0; i < size && !this.stack.isEmpty(); i++) {
			this.stack.remove(this.stack.size() - 1);
		}
	}

	private Boolean peek(int depth) {
		int index = this.stack.size() - 1 - depth;
		return (index >= 0) ? this.stack.get(index) : OTHER;
	}

	@Override
	public void visitTryCatchBlock(Label start, Label end, Label handler, @Nullable String type) {
		this.handlers.put(handler, THIS);
	}

	@Override
	public void visitLabel(Label label) {
		if (this.handlers.containsKey(label)) {
			this.stack = new ArrayList<>(List.of(OTHER));
		}
		else if (this.unreachable) {
			List<Boolean> saved = this.atLabels.get(label);
			this.stack = (saved != null) ? new ArrayList<>(saved) : new ArrayList<>();
		}
		this.unreachable = false;
	}

	@Override
	public void visitVarInsn(int opcode, int slot) {
		switch (opcode) {
			case Opcodes.ALOAD -> push((slot == 0) ? THIS : OTHER, 1);
			case Opcodes.ILOAD, Opcodes.FLOAD -> push(OTHER, 1);
			case Opcodes.LLOAD, Opcodes.DLOAD -> push(OTHER, 2);
			case Opcodes.ISTORE, Opcodes.FSTORE, Opcodes.ASTORE -> pop(1);
			case Opcodes.LSTORE, Opcodes.DSTORE -> pop(2);
			default -> {
			}
		}
	}

	@Override
	public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
		int size = Type.getType(descriptor).getSize();
		switch (opcode) {
			case Opcodes.GETSTATIC -> push(OTHER, size);
			case Opcodes.PUTSTATIC -> pop(size);
			case Opcodes.GETFIELD -> {
				Boolean from = peek(0);
				pop(1);
				push((from == THIS && name.equals(this.outerThisField)) ? THIS : OTHER, size);
			}
			default -> pop(size + 1);
		}
	}

	@Override
	public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
		int arguments = (Type.getArgumentsAndReturnSizes(descriptor) >> 2) - 1;
		boolean hasReceiver = opcode != Opcodes.INVOKESTATIC;
		boolean receiverIsThis = hasReceiver && peek(arguments) == THIS;
		pop(arguments + (hasReceiver ? 1 : 0));
		if (hasReceiver && !name.equals("<init>")) {
			call(owner, name, descriptor, receiverIsThis, opcode == Opcodes.INVOKESPECIAL);
		}
		if (opcode == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
			// new X; dup; <init>: the duplicate was consumed, the new object stays.
			return;
		}
		push(OTHER, Type.getReturnType(descriptor).getSize());
	}

	@Override
	public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
		Type[] captured = Type.getArgumentTypes(descriptor);
		boolean capturesThis = captured.length > 0 && peek(sizeOf(captured) - captured[0].getSize()) == THIS;
		for (Object argument : arguments) {
			if (argument instanceof Handle handle && capturesThis && handle.getTag() != Opcodes.H_INVOKESTATIC) {
				boundReference(handle);
			}
		}
		pop(sizeOf(captured));
		push(OTHER, Type.getReturnType(descriptor).getSize());
	}

	private static int sizeOf(Type[] types) {
		int size = 0;
		for (Type type : types) {
			size += type.getSize();
		}
		return size;
	}

	@Override
	public void visitTypeInsn(int opcode, String type) {
		if (opcode == Opcodes.NEW) {
			push(OTHER, 1);
		}
		else if (opcode == Opcodes.ANEWARRAY) {
			pop(1);
			push(OTHER, 1);
		}
		// CHECKCAST keeps the value (a cast this is still this); INSTANCEOF turns it into an int.
		else if (opcode == Opcodes.INSTANCEOF) {
			pop(1);
			push(OTHER, 1);
		}
	}

	@Override
	public void visitLdcInsn(Object value) {
		push(OTHER, (value instanceof Long || value instanceof Double) ? 2 : 1);
	}

	@Override
	public void visitIntInsn(int opcode, int operand) {
		if (opcode == Opcodes.NEWARRAY) {
			pop(1);
		}
		push(OTHER, 1);
	}

	@Override
	public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
		pop(dimensions);
		push(OTHER, 1);
	}

	@Override
	public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
		pop(1);
		jumpsTo(dflt);
		for (Label label : labels) {
			jumpsTo(label);
		}
		this.unreachable = true;
	}

	@Override
	public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
		visitTableSwitchInsn(0, 0, dflt, labels);
	}

	@Override
	public void visitJumpInsn(int opcode, Label label) {
		switch (opcode) {
			case Opcodes.IFEQ, Opcodes.IFNE, Opcodes.IFLT, Opcodes.IFGE, Opcodes.IFGT, Opcodes.IFLE, Opcodes.IFNULL,
					Opcodes.IFNONNULL -> pop(1);
			case Opcodes.GOTO -> this.unreachable = true;
			case Opcodes.JSR -> push(OTHER, 1);
			default -> pop(2);
		}
		jumpsTo(label);
	}

	private void jumpsTo(Label label) {
		this.atLabels.putIfAbsent(label, new ArrayList<>(this.stack));
	}

	@Override
	public void visitInsn(int opcode) {
		if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN || opcode == Opcodes.ATHROW) {
			this.stack.clear();
			this.unreachable = true;
			return;
		}
		switch (opcode) {
			case Opcodes.DUP -> push(peek(0), 1);
			case Opcodes.DUP_X1 -> insert(1, peek(0));
			case Opcodes.DUP_X2 -> insert(2, peek(0));
			case Opcodes.DUP2 -> {
				Boolean b = peek(1);
				Boolean a = peek(0);
				push(b, 1);
				push(a, 1);
			}
			case Opcodes.DUP2_X1 -> {
				Boolean a = peek(0);
				Boolean b = peek(1);
				insert(2, a);
				insert(3, b);
			}
			case Opcodes.DUP2_X2 -> {
				Boolean a = peek(0);
				Boolean b = peek(1);
				insert(3, a);
				insert(4, b);
			}
			case Opcodes.SWAP -> {
				Boolean a = peek(0);
				Boolean b = peek(1);
				pop(2);
				push(a, 1);
				push(b, 1);
			}
			default -> {
				int[] effect = effectOf(opcode);
				pop(effect[0]);
				push(OTHER, effect[1]);
			}
		}
	}

	/** Copies {@code value} below the top {@code depth} slots. */
	private void insert(int depth, Boolean value) {
		int index = Math.max(0, this.stack.size() - depth);
		this.stack.add(index, value);
	}

	/** Slots popped and pushed by an instruction without operands (other than dup, swap, return, throw). */
	private static int[] effectOf(int opcode) {
		return switch (opcode) {
			case Opcodes.NOP, Opcodes.INEG, Opcodes.FNEG, Opcodes.I2F, Opcodes.F2I, Opcodes.I2B, Opcodes.I2C,
					Opcodes.I2S -> new int[] { 0, 0 };
			case Opcodes.LNEG, Opcodes.DNEG, Opcodes.L2D, Opcodes.D2L -> new int[] { 2, 2 };
			case Opcodes.ACONST_NULL, Opcodes.ICONST_M1, Opcodes.ICONST_0, Opcodes.ICONST_1, Opcodes.ICONST_2,
					Opcodes.ICONST_3, Opcodes.ICONST_4, Opcodes.ICONST_5, Opcodes.FCONST_0, Opcodes.FCONST_1,
					Opcodes.FCONST_2 -> new int[] { 0, 1 };
			case Opcodes.LCONST_0, Opcodes.LCONST_1, Opcodes.DCONST_0, Opcodes.DCONST_1 -> new int[] { 0, 2 };
			case Opcodes.IALOAD, Opcodes.FALOAD, Opcodes.AALOAD, Opcodes.BALOAD, Opcodes.CALOAD, Opcodes.SALOAD ->
				new int[] { 2, 1 };
			case Opcodes.LALOAD, Opcodes.DALOAD -> new int[] { 2, 2 };
			case Opcodes.IASTORE, Opcodes.FASTORE, Opcodes.AASTORE, Opcodes.BASTORE, Opcodes.CASTORE,
					Opcodes.SASTORE -> new int[] { 3, 0 };
			case Opcodes.LASTORE, Opcodes.DASTORE -> new int[] { 4, 0 };
			case Opcodes.POP, Opcodes.MONITORENTER, Opcodes.MONITOREXIT -> new int[] { 1, 0 };
			case Opcodes.POP2 -> new int[] { 2, 0 };
			case Opcodes.IADD, Opcodes.ISUB, Opcodes.IMUL, Opcodes.IDIV, Opcodes.IREM, Opcodes.ISHL, Opcodes.ISHR,
					Opcodes.IUSHR, Opcodes.IAND, Opcodes.IOR, Opcodes.IXOR, Opcodes.FADD, Opcodes.FSUB, Opcodes.FMUL,
					Opcodes.FDIV, Opcodes.FREM, Opcodes.FCMPL, Opcodes.FCMPG -> new int[] { 2, 1 };
			case Opcodes.LADD, Opcodes.LSUB, Opcodes.LMUL, Opcodes.LDIV, Opcodes.LREM, Opcodes.LAND, Opcodes.LOR,
					Opcodes.LXOR, Opcodes.DADD, Opcodes.DSUB, Opcodes.DMUL, Opcodes.DDIV, Opcodes.DREM ->
				new int[] { 4, 2 };
			case Opcodes.LSHL, Opcodes.LSHR, Opcodes.LUSHR -> new int[] { 3, 2 };
			case Opcodes.LCMP, Opcodes.DCMPL, Opcodes.DCMPG -> new int[] { 4, 1 };
			case Opcodes.I2L, Opcodes.I2D, Opcodes.F2L, Opcodes.F2D -> new int[] { 1, 2 };
			case Opcodes.L2I, Opcodes.L2F, Opcodes.D2I, Opcodes.D2F -> new int[] { 2, 1 };
			case Opcodes.ARRAYLENGTH -> new int[] { 1, 1 };
			default -> new int[] { 0, 0 };
		};
	}

}
