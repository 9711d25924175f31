{
  "targets": [
    {
      "target_name": "fuse3_ll",
      "sources": ["native/fuse3-ll.c"],
      "cflags": ["-O2", "-Wall", "-Werror", "<!@(pkg-config --cflags fuse3)"],
      "libraries": ["<!@(pkg-config --libs fuse3)"]
    }
  ]
}
