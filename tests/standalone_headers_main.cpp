// The real test is that every generated translation unit compiled; running proves it linked.
int main() {
  return 0;
}
