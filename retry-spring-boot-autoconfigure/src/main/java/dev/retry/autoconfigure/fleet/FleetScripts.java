package dev.retry.autoconfigure.fleet;

import java.util.List;

import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The fleet's Redis scripts. Each touches one key (so that it runs on Redis Cluster too) and reads
 * time from Redis itself ({@code TIME}), never from an instance: versions, the age of an open
 * state, trial permits and budget buckets all count on the one clock every instance shares.
 *
 * <p>A breaker's key is a hash: {@code version} (a fleet-wide order of its states: Redis's time in
 * microseconds, or the last version plus one when that is not later), the state ({@code state},
 * {@code forced}, {@code hand}, {@code at} when written, {@code openFor} in milliseconds,
 * {@code origin}, {@code reason}), and the current round's trial permits ({@code trials},
 * {@code ok}, {@code trialsAt}).
 */
final class FleetScripts {

	private static final String COMMON = """
			local function now_us()
			  local t = redis.call('TIME')
			  return tonumber(t[1]) * 1000000 + tonumber(t[2])
			end
			local function fmt(n)
			  return string.format('%.0f', n)
			end
			local function state_of(key, now)
			  local f = redis.call('HMGET', key, 'version', 'state', 'forced', 'hand', 'at', 'openFor', 'origin', 'reason')
			  if not f[1] then
			    return {0}
			  end
			  local left = 0
			  if f[2] == 'OPEN' then
			    left = math.floor((tonumber(f[5]) + tonumber(f[6]) * 1000 - now) / 1000)
			  end
			  return {tonumber(f[1]), f[2], f[3], f[4], left, f[7], f[8]}
			end
			local function write_state(key, current, now, state, forced, hand, open_for, origin, reason, ttl, channel, prefix, breaker)
			  local v = math.max(now, current + 1)
			  redis.call('HSET', key, 'version', fmt(v), 'state', state, 'forced', forced, 'hand', hand, 'at', fmt(now),
			    'openFor', open_for, 'origin', origin, 'reason', reason, 'trials', '0', 'ok', '0', 'trialsAt', '0')
			  if forced == '1' then
			    redis.call('PERSIST', key)
			  else
			    redis.call('PEXPIRE', key, ttl)
			  end
			  redis.call('PUBLISH', channel, prefix .. origin .. '|' .. fmt(v) .. '|' .. breaker .. '|' .. state .. '|'
			    .. forced .. '|' .. hand .. '|' .. open_for .. '|' .. reason)
			  return v
			end
			""";

	/** A breaker's state as the fleet holds it: {@code {version, state, forced, hand, millisLeft, origin, reason}}, or {@code {0}}. */
	static final RedisScript<List<Object>> READ = script("""
			return state_of(KEYS[1], now_us())
			""");

	/**
	 * A state change made on an instance, taken when it follows the state it was made from: ARGV
	 * base version (-1: an operator's, taken whatever the fleet holds), state, forced, hand,
	 * openFor millis, origin, reason, expiry millis, channel, message prefix, breaker. Answers
	 * {@code {1, version}} when taken and published, else {@code {0, ...the state the fleet holds}}.
	 */
	static final RedisScript<List<Object>> ANNOUNCE = script("""
			local now = now_us()
			local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
			local base = tonumber(ARGV[1])
			if base >= 0 and current ~= 0 and base ~= current then
			  local held = state_of(KEYS[1], now)
			  table.insert(held, 1, 0)
			  return held
			end
			local v = write_state(KEYS[1], current, now, ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8],
			  ARGV[9], ARGV[10], ARGV[11])
			return {1, v}
			""");

	/**
	 * One trial permit of round ARGV[1] (the version of the open state), of ARGV[2] in all; permits
	 * taken longer than ARGV[3] millis ago by trials that never reported are taken again (their
	 * instance is gone). Answers the permit's number, 0 when all are taken, -1 when the fleet holds
	 * another state than that round's, -2 when it holds none.
	 */
	static final RedisScript<Long> TRIAL = script("""
			local f = redis.call('HMGET', KEYS[1], 'version', 'state', 'trials', 'trialsAt')
			if not f[1] then
			  return -2
			end
			if tonumber(f[1]) ~= tonumber(ARGV[1]) or f[2] ~= 'OPEN' then
			  return -1
			end
			local now = now_us()
			local trials = tonumber(f[3] or '0')
			if trials >= tonumber(ARGV[2]) then
			  if now - tonumber(f[4] or '0') < tonumber(ARGV[3]) * 1000 then
			    return 0
			  end
			  trials = 0
			  redis.call('HSET', KEYS[1], 'ok', '0')
			end
			redis.call('HSET', KEYS[1], 'trials', trials + 1, 'trialsAt', fmt(now))
			return trials + 1
			""", Long.class);

	/** Gives a trial permit of round ARGV[1] back. */
	static final RedisScript<Long> RELEASE = script("""
			local f = redis.call('HMGET', KEYS[1], 'version', 'trials')
			if tonumber(f[1] or '0') == tonumber(ARGV[1]) and tonumber(f[2] or '0') > 0 then
			  return redis.call('HINCRBY', KEYS[1], 'trials', -1)
			end
			return -1
			""", Long.class);

	/**
	 * A trial of round ARGV[1] succeeded; when ARGV[2] have, the breaker closes for the fleet
	 * (ARGV origin, reason, expiry millis, channel, message prefix, breaker, as for {@link #ANNOUNCE}).
	 * Answers {@code {1, version}} when closed, {@code {0}} when counted, {@code {-1}} when the fleet
	 * is no longer in that round, {@code {-2}} when it holds no state (Redis lost it: nothing counts
	 * the round any more).
	 */
	static final RedisScript<List<Object>> TRIAL_SUCCEEDED = script("""
			local f = redis.call('HMGET', KEYS[1], 'version', 'state')
			if not f[1] then
			  return {-2}
			end
			local current = tonumber(f[1] or '0')
			if current ~= tonumber(ARGV[1]) or f[2] ~= 'OPEN' then
			  return {-1}
			end
			if redis.call('HINCRBY', KEYS[1], 'ok', 1) < tonumber(ARGV[2]) then
			  return {0}
			end
			local v = write_state(KEYS[1], current, now_us(), 'CLOSED', '0', '0', '0', ARGV[3], ARGV[4], ARGV[5],
			  ARGV[6], ARGV[7], ARGV[8])
			return {1, v}
			""");

	/**
	 * This instance is alive (ARGV[1]); answers the instances seen within ARGV[2] millis, on Redis's
	 * clock.
	 */
	static final RedisScript<List<Object>> MEMBERS = script("""
			local now = math.floor(now_us() / 1000)
			local ttl = tonumber(ARGV[2])
			redis.call('ZADD', KEYS[1], now, ARGV[1])
			redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - 2 * ttl)
			redis.call('PEXPIRE', KEYS[1], 4 * ttl)
			return redis.call('ZRANGEBYSCORE', KEYS[1], now - ttl, '+inf')
			""");

	/**
	 * A fleet budget (a hash of buckets {@code c:<n>} and {@code r:<n>}, a tenth of the window
	 * each, numbered on Redis's clock): adds ARGV[1] calls to the current bucket and, when ARGV[5]
	 * is 1, takes one retry if {@code retries + 1 <= ARGV[2] (min retries) + ARGV[3] (ratio) x calls}
	 * over the window of ARGV[4] millis. Answers 1 (taken, or calls added) or 0.
	 */
	static final RedisScript<Long> BUDGET = script("""
			local window = tonumber(ARGV[4])
			local width = math.max(1, math.floor(window / 10))
			local bucket = math.floor(math.floor(now_us() / 1000) / width)
			local add = tonumber(ARGV[1])
			if add > 0 then
			  redis.call('HINCRBY', KEYS[1], 'c:' .. fmt(bucket), add)
			end
			local calls, retries = 0, 0
			local fields = redis.call('HGETALL', KEYS[1])
			for i = 1, #fields, 2 do
			  local kind, n = string.match(fields[i], '^(%a):(%d+)$')
			  n = tonumber(n)
			  if n == nil or n <= bucket - 10 then
			    redis.call('HDEL', KEYS[1], fields[i])
			  elseif kind == 'c' then
			    calls = calls + tonumber(fields[i + 1])
			  else
			    retries = retries + tonumber(fields[i + 1])
			  end
			end
			redis.call('PEXPIRE', KEYS[1], 2 * window + width)
			if ARGV[5] ~= '1' then
			  return 1
			end
			if retries + 1 > tonumber(ARGV[2]) + tonumber(ARGV[3]) * calls then
			  return 0
			end
			redis.call('HINCRBY', KEYS[1], 'r:' .. fmt(bucket), 1)
			return 1
			""", Long.class);

	/**
	 * A runtime change for the fleet (the tuning hash: {@code version}, and a field per policy or
	 * breaker, {@code <version>|<key=value&...>} or {@code <version>|-} for dropped overrides):
	 * ARGV field, the keys set ({@code -}: dropped), how ({@code merge}: into the keys the fleet
	 * holds; {@code replace}: instead of them; {@code seed}: only when the fleet holds nothing for
	 * it), channel, message prefix, kind, name. Answers {@code {1, version, values}}, or {@code {0}}
	 * when not set.
	 */
	static final RedisScript<List<Object>> TUNE = script("""
			local existing = redis.call('HGET', KEYS[1], ARGV[1])
			if ARGV[3] == 'seed' and existing then
			  return {0}
			end
			local merged = '-'
			if ARGV[2] ~= '-' then
			  local values, order = {}, {}
			  local function take(text)
			    if not text or text == '-' then
			      return
			    end
			    for pair in string.gmatch(text, '[^&]+') do
			      local k, val = string.match(pair, '^([^=]+)=(.*)$')
			      if k then
			        if values[k] == nil then
			          table.insert(order, k)
			        end
			        values[k] = val
			      end
			    end
			  end
			  if existing and ARGV[3] == 'merge' then
			    take(string.match(existing, '^%d+|(.*)$'))
			  end
			  take(ARGV[2])
			  local parts = {}
			  for _, k in ipairs(order) do
			    table.insert(parts, k .. '=' .. values[k])
			  end
			  merged = table.concat(parts, '&')
			end
			local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
			local v = fmt(math.max(now_us(), current + 1))
			redis.call('HSET', KEYS[1], 'version', v, ARGV[1], v .. '|' .. merged)
			redis.call('PUBLISH', ARGV[4], ARGV[5] .. v .. '|' .. ARGV[6] .. '|' .. ARGV[7] .. '|' .. merged)
			return {1, v, merged}
			""");

	/** Every script, to load into Redis when the fleet links to it (then no call waits for an EVAL). */
	static final List<RedisScript<?>> ALL = List.of(READ, ANNOUNCE, TRIAL, RELEASE, TRIAL_SUCCEEDED, MEMBERS, BUDGET,
			TUNE);

	private FleetScripts() {
	}

	/** A script answering a list (of numbers and texts). */
	@SuppressWarnings("unchecked")
	private static RedisScript<List<Object>> script(String body) {
		return new DefaultRedisScript<>(COMMON + body, (Class<List<Object>>) (Class<?>) List.class);
	}

	private static <T> RedisScript<T> script(String body, Class<T> type) {
		return new DefaultRedisScript<>(COMMON + body, type);
	}

}
