{
  "targets": [
    {
      "target_name": "aligned_alloc",
      "sources": ["native/aligned-alloc.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
