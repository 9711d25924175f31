// aligned_alloc addon: hands Node ArrayBuffers whose memory is aligned for O_DIRECT (Node's own buffers are not).
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

static void free_aligned(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  free(data);
}

// alloc(size, alignment) -> ArrayBuffer of `size` zeroed bytes starting at a multiple of `alignment`.
static napi_value alloc(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "alloc(size, alignment) takes two numbers");
    return NULL;
  }
  int64_t size = 0, alignment = 0;
  if (napi_get_value_int64(env, argv[0], &size) != napi_ok || napi_get_value_int64(env, argv[1], &alignment) != napi_ok) {
    napi_throw_type_error(env, NULL, "alloc(size, alignment) takes two numbers");
    return NULL;
  }
  if (size <= 0 || alignment < (int64_t)sizeof(void*) || (alignment & (alignment - 1)) != 0) {
    napi_throw_range_error(env, NULL, "alloc: size must be positive and alignment a power of two");
    return NULL;
  }
  void* mem = NULL;
  if (posix_memalign(&mem, (size_t)alignment, (size_t)size) != 0 || mem == NULL) {
    napi_throw_error(env, "ENOMEM", "alloc: posix_memalign failed");
    return NULL;
  }
  memset(mem, 0, (size_t)size);
  napi_value result;
  if (napi_create_external_arraybuffer(env, mem, (size_t)size, free_aligned, NULL, &result) != napi_ok) {
    free(mem);
    napi_throw_error(env, NULL, "alloc: cannot wrap the memory in an ArrayBuffer");
    return NULL;
  }
  // Tell V8 about the external memory so GC pressure reflects it.
  int64_t adjusted;
  napi_adjust_external_memory(env, size, &adjusted);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "alloc", NAPI_AUTO_LENGTH, alloc, NULL, &fn);
  napi_set_named_property(env, exports, "alloc", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
